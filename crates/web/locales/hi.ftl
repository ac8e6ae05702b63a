# हिन्दी: the structure is here; messages not yet translated are shown in English.
# Translators: copy messages from en.ftl, keep the ids, translate the text.

skip-to-content = सामग्री पर जाएँ
nav-explore = खोजें
nav-countries = देश
nav-submit = अपना विचार भेजें
nav-sign-in = साइन इन करें
nav-sign-up = साइन अप करें
nav-languages = भाषाएँ
nav-about = परिचय
search-placeholder = खोजें
search-button = खोजें
month-1 = जनवरी
month-2 = फ़रवरी
month-3 = मार्च
month-4 = अप्रैल
month-5 = मई
month-6 = जून
month-7 = जुलाई
month-8 = अगस्त
month-9 = सितंबर
month-10 = अक्तूबर
month-11 = नवंबर
month-12 = दिसंबर
