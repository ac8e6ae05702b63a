# Bahasa Melayu: the structure is here; messages not yet translated are shown in English.
# Translators: copy messages from en.ftl, keep the ids, translate the text.

skip-to-content = Langkau ke kandungan
nav-explore = Teroka
nav-countries = Negara
nav-submit = Hantar idea anda
nav-sign-in = Log masuk
nav-sign-up = Daftar
nav-languages = Bahasa
nav-about = Perihal
search-placeholder = Cari
search-button = Cari
month-1 = Januari
month-2 = Februari
month-3 = Mac
month-4 = April
month-5 = Mei
month-6 = Jun
month-7 = Julai
month-8 = Ogos
month-9 = September
month-10 = Oktober
month-11 = November
month-12 = Disember
