# Tiếng Việt: the structure is here; messages not yet translated are shown in English.
# Translators: copy messages from en.ftl, keep the ids, translate the text.

skip-to-content = Chuyển đến nội dung
nav-explore = Khám phá
nav-countries = Quốc gia
nav-submit = Gửi ý tưởng của bạn
nav-sign-in = Đăng nhập
nav-sign-up = Đăng ký
nav-languages = Ngôn ngữ
nav-about = Giới thiệu
search-placeholder = Tìm kiếm
search-button = Tìm kiếm
date-long = { $day } tháng { $month } năm { $year }
month-1 = 1
month-2 = 2
month-3 = 3
month-4 = 4
month-5 = 5
month-6 = 6
month-7 = 7
month-8 = 8
month-9 = 9
month-10 = 10
month-11 = 11
month-12 = 12
