# Filipino: the structure is here; messages not yet translated are shown in English.
# Translators: copy messages from en.ftl, keep the ids, translate the text.

skip-to-content = Lumaktaw sa nilalaman
nav-explore = Tuklasin
nav-countries = Mga bansa
nav-submit = Ipadala ang iyong ideya
nav-sign-in = Mag-sign in
nav-sign-up = Mag-sign up
nav-languages = Mga wika
nav-about = Tungkol dito
search-placeholder = Maghanap
search-button = Maghanap
month-1 = Enero
month-2 = Pebrero
month-3 = Marso
month-4 = Abril
month-5 = Mayo
month-6 = Hunyo
month-7 = Hulyo
month-8 = Agosto
month-9 = Setyembre
month-10 = Oktubre
month-11 = Nobyembre
month-12 = Disyembre
