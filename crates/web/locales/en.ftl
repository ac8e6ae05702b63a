# Banyan's interface in English: the reference for every other language.
# Message ids are shared by all locale files; a test checks that the complete languages have
# every message and that every message used by the templates and the code exists here.

## Frame

skip-to-content = Skip to content
nav-main = Main
nav-explore = Explore
nav-countries = Countries
nav-submit = Submit your idea
nav-dashboard = My dashboard
nav-review = Review
nav-people = People
nav-sign-in = Sign in
nav-sign-up = Sign up
nav-sign-out = Sign out
nav-languages = Languages
nav-about = About
nav-api = API
footer-tagline = { $site } — an open exchange of innovations in public service delivery.
search-label = Search practices, ideas, challenges and solutions
search-placeholder = Search
search-button = Search
yes = Yes
no = No

## Dates

date-long = { $day } { $month } { $year }
date-month = { $month } { $year }
month-1 = January
month-2 = February
month-3 = March
month-4 = April
month-5 = May
month-6 = June
month-7 = July
month-8 = August
month-9 = September
month-10 = October
month-11 = November
month-12 = December

## Notices after an action

notice-signed-in = You are signed in.
notice-signed-out = You are signed out.
notice-saved = Saved.
notice-submitted = Thank you. Your submission is with the curators; you will hear from them here and by mail.
notice-draft = Saved as a draft. Submit it when it is ready.
notice-moved = Done.
notice-password = Your password is changed. Other sessions were signed out.
notice-email = Check your new address for a link to confirm it.
notice-token-revoked = The token is revoked.
notice-comment = Your message is sent.
notice-reported = Thank you. The moderators will look at it.
notice-invited = The invitation is on its way.
notice-joined = You have joined the organisation.

## Errors

error-403-title = Not allowed
error-403-text = This page is not open to you. If you think it should be, sign in with the account that may see it.
error-404-title = Not found
error-404-text = There is nothing here, or it is not yours to see.
error-410-title = Gone
error-410-text = This was here once and has been withdrawn.
error-429-title = Too many attempts
error-500-title = Something went wrong
error-500-text = The error has been logged. Please try again later.
error-home-link = Go to the home page
error-search-instead = Or search for what you were looking for
form-correct-below = Please correct what is marked below.
form-required = required
form-choose = Choose
form-none = None
form-save = Save
form-send = Send
err-required = This is needed.
err-email = This is not an e-mail address.
err-give-email = Give an e-mail address.
err-login-email = Give the e-mail address of your account.
err-name = Give a name of 1 to 200 characters.
err-password = The password
verr-required = This is needed.
verr-too-long = This is too long.
verr-invalid-value = This value is not valid.
verr-out-of-range = This number is out of range.
verr-unknown-code = This code is not in the list.
verr-too-many = There are too many values.
verr-invalid-type = This is not the right kind of value.
verr-control-character = This contains characters that are not allowed.

## Home

home-title = Innovations in public service delivery
home-heading = What worked elsewhere, ready for your district
home-lead = Banyan collects the practices, ideas and solutions that made public services simpler, faster and fairer, so that the next administration can find them, adapt them and measure what citizens gain.
home-search-label = What problem are you solving?
home-search-placeholder = land records, clinic queues, birth registration…
home-featured = Proven practices
home-map = Where the practices come from
home-map-hint = Countries are shaded by how many records concern them. Choose one to see its page.
home-recent = Recently published
home-all-recent = Everything, newest first
home-empty = Nothing is published yet.
home-share-heading = Has your office made a service simpler?
home-share-text = Tell others how. A few minutes is enough; curators help you finish it.
count-practice = { $count ->
    [one] practice
   *[other] practices
}
count-idea = { $count ->
    [one] idea
   *[other] ideas
}
count-challenge = { $count ->
    [one] challenge
   *[other] challenges
}
count-solution = { $count ->
    [one] solution
   *[other] solutions
}
count-resource = { $count ->
    [one] knowledge product
   *[other] knowledge products
}
count-organisation = { $count ->
    [one] organisation
   *[other] organisations
}

## Map

map-country = { $country }: { $count ->
    [one] 1 record
   *[other] { $count } records
}
map-legend = Records:
map-table = The map as a table
map-country-column = Country
map-records-column = Records

## Search

search-title = Explore
search-title-q = Search: { $q }
search-heading-q = Results for “{ $q }”
search-hint = All words must match. Use "quotes" for a phrase and -word to leave a word out.
search-results = { $count ->
    [one] { $count } result
   *[other] { $count } results
}
search-showing = { $count ->
    [one] One result
   *[other] { $first }–{ $last } of { $count } results
}
search-nothing = Nothing matches. Try fewer words, or remove a filter.
search-active = Filters:
search-remove = remove this filter
search-clear = Remove all filters
search-to-filters = Jump to the filters
search-filters = Filters
search-more-values = { $count } more
search-results-heading = Results
search-pages = Pages
search-prev = Previous page
search-next = Next page
search-page-of = Page { $page } of { $pages }
search-bad-address = This search address is not valid.
search-bad-query = This search cannot be run.
sort-label = Order
sort-apply = Apply
sort-relevance = Best match
sort-newest = Newest
sort-updated = Recently updated
facet-kind = Kind
facet-country = Country
facet-region = Region
facet-sdg = SDG
facet-sector = Sector
facet-level = Level of government
facet-stage = Stage
facet-type = Type of innovation
facet-evidence = Evidence
facet-lang = Language
facet-organisation = Organisation
sdg-badge = SDG { $goal }: { $name }
kind-organisation = Organisation

## Record pages

record-languages = Languages of this record
record-written-in = Written in { $language }.
record-translated = Shown in { $shown }, translated from { $original }.
record-original = original
record-organisation = Organisation
record-places = Places
record-level = Level of government
record-stage = Stage
record-evidence = Evidence of results
record-types = Type of innovation
record-published = Published
record-sdgs = Sustainable Development Goals
record-sectors = Sectors
record-themes = Themes
record-actions = What you can do
record-edit = Edit
record-review = Open in review
record-report = Report a problem with this record
record-report-reason = What is wrong?
record-report-send = Send the report
record-similar = Similar records
matches-heading-challenge = Practices and solutions that could meet this challenge
matches-heading-solution = Challenges this solution could meet
matches-hint = Ranked by fit: shared words and goals, sector, place, level of government, how proven it is and the challenge’s constraints.
matches-fit = fit { $fit }%
record-about = About this record
record-licence = Licence
record-source = Source
record-origin = From
record-updated = Last updated
record-data = Data
record-revisions = { $count ->
    [one] One revision
   *[other] { $count } revisions
}
record-revision = Version { $version }
tcv-heading = What it changed for citizens
tcv-caption = Time, cost and visits for one application, before and after.
tcv-measure = Measure
tcv-before = Before
tcv-after = After
tcv-change = Change
tcv-time = Time (days)
tcv-cost = Cost
tcv-visits = Visits
tcv-volume = About { $volume } applications a year.
field-problem = The problem
field-solution = What was done
field-idea = The idea
field-expected-benefit = Expected benefit
field-started-on = Started
field-beneficiaries = Who benefits
field-results = Results
field-cost-to-implement = Cost to implement
field-partners = Partners
field-lessons = Lessons learned
field-conditions-for-replication = Conditions for replication
field-links = Links
field-affected = Who is affected
field-service = Service concerned
field-tried-before = What has been tried
field-constraints = Constraints
field-budget = Budget
field-languages = Languages
field-connectivity = Connectivity
field-data-rules = Data rules
field-desired-outcomes = Desired outcomes
field-success-criteria = Success criteria
field-deadline = Deadline
field-state = Where it stands
field-seeking = Looking for
field-what-it-does = What it does
field-for-whom = For whom
field-trl = Maturity (technology readiness)
field-deployments = Deployed in
field-developed-in = Developed in
field-pricing-model = Pricing
field-availability = Availability
field-open-source-license = Open-source licence
field-works-offline = Works offline
field-data-protection = Data protection
field-website = Website
field-repositories = Source code
field-references = References
field-product-types = Product types
field-resource-type = Type
field-authors = Authors
field-published-on = Published
field-url = Address
field-files = Files
field-kind = Kind

## Countries

countries-title = Countries
countries-lead = Every country whose practices, ideas, challenges or solutions are here. Choose one for its page.
country-lead = { $count ->
    [0] Nothing published concerns { $country } yet.
    [one] One published record concerns { $country }.
   *[other] { $count } published records concern { $country }.
}
country-records = Records from and about the country
country-all-records = Search everything about { $country }
country-none = Nothing is published yet.
country-organisations = Organisations

## About and API

about-title = About Banyan
about-lead = Governments keep solving the same problems alone. Banyan is where their solutions are collected, found, matched to the next place that needs them, piloted, measured and scaled.
about-what-heading = What is here
about-what = Practices that administrations run, ideas from officials and citizens, challenges that offices post, solutions that providers offer, and knowledge products that explain how. Each record says where it applies, which goals it serves, how far it has come and how sure we are of its results.
about-kinds-heading = Kinds of record
about-kind-practice = Something an administration does that works, with its results.
about-kind-idea = A proposal to make a service better, from anyone.
about-kind-challenge = A problem an office wants solved, open to practices and providers.
about-kind-solution = A product or service that providers offer to administrations.
about-kind-resource = A guide, toolkit, case study or other knowledge product.
about-curation-heading = How records are published
about-curation = Anyone with an account can submit. Curators check that the public sector is involved, that the practice is new in its context, that it runs at least as a pilot, and that there is evidence of results; they may ask questions before they publish.
about-open-heading = Open by design
about-open = Everything published is open data, through the pages, exports and an API described by OpenAPI. Each country can run its own node, and nodes exchange records.
about-privacy-heading = Privacy
about-privacy = Contact details that submitters give are never published. You can download or erase everything Banyan holds about you from your account.
about-data-heading = Data and sources
about-data = Country shapes on the map are from Natural Earth (public domain). Vocabularies follow the UN Sustainable Development Goals, the UN classification of the functions of government (COFOG) and ISO 3166 places.
api-title = The API
api-lead = Everything on these pages is also JSON, for programs: search, records, organisations, vocabularies, submissions and review.
api-document = The machine-readable description is the OpenAPI document at
api-auth-heading = Signing in
api-auth = Reading public data needs no account. To write, make a personal token in your account and send it as "Authorization: Bearer …". Scopes limit what a token may do.
api-errors-heading = Errors
api-errors = A request that cannot be served gets an application/problem+json answer naming what was wrong and, for bad input, every field at fault. Nothing is changed by a request that fails.
api-contents = Contents
api-parameters = Parameters
api-parameter = Parameter
api-in = In
api-description = Description
api-responses = Responses

## Accounts

login-title = Sign in
login-button = Sign in
login-forgot = Forgot your password?
signup-title = Sign up
signup-lead = With an account you can submit ideas and practices, follow what happens to them, and report abuse.
signup-name-hint = Shown to curators when you submit.
signup-email-hint = We send a link to confirm it. It is never shown to others.
signup-password-hint = 8 to 128 characters; a few words you remember work well.
signup-button = Sign up
signup-have-account = Already have an account?
reset-title = Choose a new password
reset-lead = Give the address of your account and we will send a link to choose a new password.
reset-button = Send the link
new-password-text = Every session of your account will be signed out.
new-password-button = Save the password
verify-title = Confirm your e-mail address
verify-text = One click, and your account is ready.
verify-button = Confirm my address
email-confirm-title = Confirm your new address
email-confirm-text = Your account will use this address from now on.
email-confirm-button = Confirm
invite-title = Join an organisation
invite-text = Accept the invitation that was sent to your address.
invite-button = Accept
msg-check-email = Check your e-mail
msg-check-email-text = If the address can be used, a message is on its way to it. Follow the link in it to continue.
msg-confirmed = Your address is confirmed
msg-confirmed-text = You can sign in now.
msg-bad-link = This link does not work
msg-bad-link-text = It was used already, or it expired.
msg-bad-link-verify = It was used already, or it expired. Sign in, and we will send a new one.
msg-ask-new-link = Ask for a new one
msg-password-changed = Your password is changed
msg-password-changed-text = Sign in with the new one.
msg-email-changed = Your address is changed
msg-thanks = Thank you
account-title = Your account
account-signed-in-as = Signed in as { $email } ({ $role }).
account-name = Name
account-password = Password
account-password-hint = Changing it signs you out everywhere else.
account-password-button = Change the password
account-email = E-mail address
account-email-hint = We send a link to the new address; the change happens when you open it.
account-email-button = Change the address
account-tokens = API tokens
account-tokens-hint = For programs that use the API on your behalf. A token is shown once, when it is made.
account-new-token = Your new token (copy it now):
account-data = Your data
account-export = Download everything Banyan holds about you
account-delete = Delete your account
account-delete-text = Your personal data is erased. What you published stays, attributed to a former member, unless you ask for it to be removed too.
account-delete-content = Remove what I wrote, too
account-delete-button = Delete my account
token-revoked = revoked
token-active = active
token-revoke = Revoke
token-make = Make a token
col-name = Name
col-scopes = Scopes
col-made = Made
col-state = State
col-actions = Actions
col-role = Role
col-change = Change
col-about = About
col-reason = Reason
col-filed = Filed
col-decision = Decision
col-status = Status
col-kind = Kind
col-title = Title
col-since = Since
col-address = Address

## Forms

f-title = Title
f-summary = Summary
f-summary-hint = Up to 500 characters: what changed, for whom, with what result.
f-problem = The problem
f-idea = Your idea
f-solution = What was done
f-where = Where
f-subdivision = District or province (optional)
f-sdgs-optional = Sustainable Development Goals (optional)
f-sector-optional = Sector (optional)
f-lang = Language you write in
f-expected-benefit = Expected benefit
f-expected-benefit-hint = Who gains, and how much, if it works?
f-places = Places
f-places-hint = ISO codes separated by commas: BD, BD-63.
f-sdgs = SDG goals or targets
f-sdgs-hint = Separated by commas: 16, 16.6.
f-sectors = COFOG sectors
f-sectors-hint = Separated by commas: 01.3, 07.
f-organisation = Organisation
f-organisation-hint = One you edit for, if any.
f-level = Level of government
f-innovation-types = Type of innovation
f-themes = Themes
f-themes-hint = Free tags separated by commas.
f-stage = Stage
f-started = Started
f-started-hint = A year, year and month, or date: 2019, 2019-07.
f-beneficiaries = Who benefits, and how many
f-results = Results
f-evidence = Evidence of the results
f-days-before = Days before
f-days-after = Days after
f-cost-before = Cost before
f-cost-after = Cost after
f-visits-before = Visits before
f-visits-after = Visits after
f-currency = Currency
f-currency-hint = ISO 4217: BDT, THB.
f-yearly-volume = Applications a year
f-lessons = Lessons learned
f-conditions = Conditions for replication
f-links = Links
f-links-hint = One web address per line.
f-contact-name = Name
f-contact-email = E-mail
f-contact-phone = Phone
f-email = E-mail address
f-password = Password
f-password-hint = 8 to 128 characters.
f-your-name = Your name
f-your-password = Your password
f-current-password = Current password
f-new-password = New password
f-new-email = New address
f-token-name = Token name
f-token-name-hint = What it is for, to recognise it later.
f-scopes = Scopes
f-org-type = Type
f-org-level-hint = For government bodies and innovation units.
f-country = Country
f-website = Website
f-description = Description
submit-title = Submit your idea
submit-lead = A few minutes is enough. Curators read every idea, may ask you questions, and publish the ones that are ready. Have a practice that already runs?
submit-practice-link = Use the practice form.
submit-title-hint = One line: what the idea does.
submit-problem-hint = What goes wrong for citizens or for the administration today?
submit-idea-hint = What would you change, and how?
submit-where-hint = The country the idea is for.
submit-subdivision-hint = Its ISO 3166-2 code, such as BD-63 for Tangail, if you know it.
submit-suggest = Suggest goals and a sector from my text
submit-anyway = Submit anyway
submit-for-review = Submit for review
submit-draft = Save as a draft
suggest-none = Nothing to suggest from this text; choose below if you know.
suggest-found = Suggested from your text: { $suggestions }. Check them before you submit.
idea-edit-title = Edit “{ $title }”
idea-edit-heading = Edit your idea
practice-new-title = Share a practice
practice-edit-title = Edit the practice
practice-lead = Fields marked * are needed to publish; everything else helps others adopt the practice.
practice-what = What it is
practice-where = Where and for what
practice-suggest = Suggest goals from my text
practice-the-practice = The practice
practice-tcv = Time, cost and visits for a citizen
practice-tcv-hint = Per application, before and after the change. Leave empty if unknown.
practice-adopters = For those who would adopt it
practice-contact = Contact (never published)
dup-heading-idea = Is your idea already here?
dup-heading-practice = Is your practice already here?
dup-text-idea = These published records look like yours. If one of them is your idea, you could comment on it or build on it instead. If yours is different, submit it anyway: curators will see the resemblance too.
dup-text-practice = These published records look like yours. If one of them is your practice, you could build on it instead. If yours is different, submit it anyway: curators will see the resemblance too.
dup-very-similar = very similar

## Dashboard, review, moderation, administration

dashboard-empty = You have not submitted anything yet.
dashboard-changed = last changed { $date }
dashboard-hidden = hidden by a moderator
dashboard-view = see the public page
dashboard-history = What happened
dashboard-created-as = created as { $status }
dashboard-conversation = Conversation with the curators
dashboard-you = You
dashboard-curator = Curator
dashboard-reply = Reply to the curators
action-submitted = Submit for review
action-in_review = Take into review
action-changes_requested = Ask for changes
action-published = Publish
action-archived = Archive
action-withdrawn = Withdraw
action-draft = Reopen as a draft
review-queue-title = Review queue
review-open-reports = { $count } open
review-waiting-option = Waiting (submitted and in review)
review-any = Any
review-filter = Filter
review-waiting = { $count ->
    [one] One waiting.
   *[other] { $count } waiting.
}
review-possible-duplicate = Possible duplicate of “{ $title }”
review-page-title = Review: { $title }
review-meta = { $kind } in { $language } · version { $version }
review-hidden = hidden
review-duplicates = Possible duplicates
review-duplicates-text = Published records that say much the same. If this submission repeats one, merge it into that one.
review-similarity = similarity { $score }
review-likely-same = likely the same
review-merge-into = Merge into this one
review-no-duplicates = None found among published records.
review-similar = Similar published records
review-checklist = Publication checklist
review-check-1 = The public sector is involved (an administration runs or commissions it).
review-check-2 = It is new in its context.
review-check-3 = It is implemented, at least as a pilot (for practices).
review-check-4 = There is some evidence of results.
review-check-5 = It is written plainly, and every section is filled.
review-decide = Decide
review-what-change = What should change?
review-restore = Restore
review-hide = Hide
review-promote-practice = Promote to a practice
review-promote-challenge = Promote to a challenge
review-merge-as = Merge as a duplicate into
review-merge-hint = Give the id of the record that stays.
review-merge = Merge
review-conversation = Conversation with the submitter
review-write = Write to the submitter
reports-title = Reports of abuse
reports-none = No open reports.
reports-a-record = a record
reports-a-comment = a comment
reports-note = Note
reports-hide = Hide it
reports-dismiss = Dismiss
users-search = Search by name or address
users-blocked = blocked
users-unconfirmed = unconfirmed
outbox-title = Outgoing mail
outbox-lead = Newest first.
outbox-no-smtp = No SMTP server is configured: mail waits here.
outbox-to = To { $to }
outbox-sent = sent
outbox-not-sent = not sent
org-records = Records
org-all-records = All its records
org-no-records = Nothing published yet.
org-people = People
org-invite = Invite someone
org-invite-button = Send the invitation
org-role-of = Role of { $name }
org-role-owner = Owner
org-role-editor = Editor
org-role-viewer = Viewer
org-role-remove = Remove
org-new-title = A new organisation
org-new-lead = You will be its owner, and can invite colleagues.
org-create = Create

## Vocabularies without an English name elsewhere

v-kinds-organisation = Organisation
v-roles-member = member
v-roles-curator = curator
v-roles-admin = admin

## Conversations

nav-conversations = Conversations
matches-interested = We are interested
notice-interest = Noted. When the other side is interested too, your conversation opens and you will both hear of it.
notice-interest-both = Both sides are interested: your conversation is open.
conv-list-title = Conversations
conv-list-lead = Private conversations about matches between challenges and the practices and solutions that could meet them. Only the two sides and the curators they invite see them.
conv-none = No conversations yet. Say you are interested in a match on a challenge’s or a solution’s page.
conv-side-challenge = For the challenge
conv-side-offer = For the practice or solution
conv-side-curator = Curator
conv-declined = declined
conv-unread = { $count ->
    [one] 1 unread
   *[other] { $count } unread
}
conv-updated = last message { $date }
conv-title = Conversation
conv-challenge = Challenge
conv-you = You take part
conv-declined-by-challenge = Declined by the challenge’s side:
conv-declined-by-offer = Declined by the practice’s or solution’s side:
conv-messages = Messages
conv-no-messages = No messages yet. Say hello, and what you would need to know.
conv-write = Write a message
conv-decline = Decline
conv-decline-reason = Why? The other side sees this.

## Pilots and procurement
dashboard-awaiting = Pilots waiting for you
dashboard-best-matches = Best matches
dashboard-challenges = My challenges
dashboard-fitting-challenges = Open challenges it fits
dashboard-my-records = My submissions
dashboard-no-fitting = No open challenge fits yet.
dashboard-solutions = My solutions
record-pilots = Pilots and adoptions
pilot-title = Pilot
pilot-back = Back to the conversation
pilot-list = Pilots
pilot-in = Pilot in { $place }
pilot-propose = Propose a pilot
pilot-propose-hint = Say what you will try, where, when and how you will know it worked. The other side agrees or proposes changes.
pilot-scope = What the pilot tries
pilot-scope-hint = What will be tried, with whom, at what scale.
pilot-place = Place
pilot-place-hint = A country or subdivision code, such as TH-40 or BD-13.
pilot-starts = Starts on
pilot-ends = Ends on
pilot-period = When
pilot-budget = Budget
pilot-currency = Currency
pilot-currency-hint = A three-letter code, such as THB, BDT or USD.
pilot-kpis = Measures of success (KPIs)
pilot-kpis-hint = One per line: name | unit | baseline | target. For example: Visits per application | visits | 5 | 2
pilot-who-does-what = Who does what
pilot-who-hint = One per line: who: what they do.
pilot-kpi = Measure
pilot-baseline = Baseline
pilot-target = Target
pilot-result = Result
pilot-result-for = Result for “{ $kpi }”
pilot-met = Target met?
pilot-met-yes = Yes
pilot-met-no = No
pilot-awaits-challenge = The challenge’s side proposed this version; the other side agrees or proposes changes.
pilot-awaits-offer = The practice’s or solution’s side proposed this version; the challenge’s side agrees or proposes changes.
pilot-next = What next
pilot-move-agreed = Agree to this plan
pilot-move-running = Start the pilot
pilot-move-evaluated = Record the evaluation
pilot-move-adopted = Adopt
pilot-move-stopped = Stop the pilot
pilot-stop-why = Why does the pilot stop? Both sides see this.
pilot-evaluation = Evaluation
pilot-evaluation-hint = What happened, measured against the KPIs, and what you learned.
pilot-evidence = Level of evidence the pilot gives
pilot-adopt-hint = Adopting records the pilot’s place and evidence in the practice and closes the challenge as solved. If a contract was awarded, record it here; it appears in the OCDS export.
pilot-award = Contract awarded
pilot-award-date = Date of the award
pilot-award-value = Value of the award
pilot-award-method = Procurement method
pilot-contract-ends = End of the contract
pilot-practice = Practice
pilot-practice-link = The practice that holds this pilot’s evidence
pilot-ocds = Download as Open Contracting data (OCDS)
pilot-revise = Propose changes to the plan
pilot-history = History
pilot-conflict = Someone changed this pilot meanwhile. Here it is as it stands now; please try again.
pilot-event-proposed = proposed
pilot-event-revised = plan changed
pilot-event-agreed = agreed
pilot-event-running = started
pilot-event-evaluated = evaluated
pilot-event-adopted = adopted
pilot-event-stopped = stopped
procurement-title = Procurement after a pilot
procurement-intro = What it takes to buy a solution after a successful pilot, country by country: the rules that apply, the steps and the documents to prepare. The network’s curators keep these lists; check the current thresholds with your procurement authority.
procurement-none = No country has a checklist yet.
procurement-none-here = There is no checklist for this country yet.
procurement-steps = { $count ->
    [one] one step
   *[other] { $count } steps
}
procurement-new = Country code
procurement-write = Write a checklist
procurement-in = Procurement in { $country }
procurement-after-pilot = To procure after the pilot
procurement-documents = Documents to prepare:
procurement-updated = Last updated { $date }
procurement-edit = Edit the checklist
procurement-rules = Rules that apply
procurement-rules-hint = The law, the methods and their thresholds, in your own words.
procurement-steps-field = Steps
procurement-steps-hint = Separate steps by a blank line. A step’s first line is its title; lines starting with “- ” are documents to prepare; other lines explain.
procurement-source = Where the rules are published
procurement-source-title = Name of that page
v-pilot-statuses-proposed = Proposed
v-pilot-statuses-agreed = Agreed
v-pilot-statuses-running = Running
v-pilot-statuses-evaluated = Evaluated
v-pilot-statuses-adopted = Adopted
v-pilot-statuses-stopped = Stopped
v-procurement-methods-open = Open: anyone may bid
v-procurement-methods-selective = Selective: qualified suppliers bid
v-procurement-methods-limited = Limited: the buyer invites suppliers
v-procurement-methods-direct = Direct: one supplier without competition
conv-mentions-you = mentions you
conv-mention-hint = To draw someone’s attention, write @ and their name, as in @Amina Rahman: they are told by mail.

## Scaling and impact
nav-impact = Impact
nav-rates = Exchange rates
notice-adoption-added = The adoption is recorded.
impact-title = Impact across the network
impact-lead = Where practices have been taken up, and what simplified services save citizens in time, money and trips to an office.
impact-filter-country = Country
impact-filter-sector = Sector
impact-filter-sdg = Sustainable Development Goal
impact-filter-any = Any
impact-filter-apply = Show
impact-filter-clear = Show everything
impact-spread = How practices spread
impact-adoptions = adoptions piloting or in use
impact-places = places
impact-countries = countries
impact-practices-adopted = practices adopted
impact-services = services measured
impact-saved = What citizens save
impact-saved-hint = Money in { $currency }, converted at the rates of the day each simplified process went live.
impact-rates-link = The exchange rates used
impact-hours-year = hours a year
impact-money-year = a year
impact-visits-year = fewer visits a year
impact-hours-to-date = hours saved so far
impact-money-to-date = saved so far
impact-visits-to-date = visits saved so far
impact-services-heading = Simplified services
impact-practice = Practice
impact-visits-column = Visits
impact-hours-column = Hours
impact-no-services = No simplified service has been measured here yet.
impact-skipped = These services are left out of the money totals because their costs cannot be converted:
impact-records = Records
impact-conflict = Someone changed this while you were editing. Your changes are below; look at the current version and save again.
chart-table = Show the numbers as a table
chart-csv = Download the numbers of “{ $title }” (CSV)
chart-empty = Nothing to show yet.
chart-before = Before
chart-after = After
chart-reduction = Reduction
chart-service = Service
chart-to-be = Simplified process
chart-date = Date
chart-saved = Saved so far
chart-year = Year
chart-adoptions = Adoptions
chart-category = Category
chart-records = Records
chart-tcv-time = Citizen's time per application (hours)
chart-tcv-cost = Citizen's cost per application
chart-tcv-visits = Visits to an office per application
chart-saved-time = Citizen hours saved, cumulative
chart-saved-cost = Money saved, cumulative
chart-saved-visits = Visits saved, cumulative
chart-adoptions-by-year = Adoptions by year
chart-stages = Records by stage
chart-sectors = Records by sector
chart-sdgs = Records by Sustainable Development Goal
adoptions-heading = Adoptions
adoptions-spread = Adopted in { $places ->
    [one] one place
   *[other] { $places } places
} in { $countries ->
    [one] one country
   *[other] { $countries } countries
}.
adoptions-suggest-scaled = This practice is in use in places beyond where it began: the stage “scaled” may fit it now.
adoptions-edit-stage = Edit the practice
adoptions-timeline = Timeline
adoptions-lineage = Who learned from whom
adoptions-lineage-hint = Each adoption under the one it learned from; the first ones learned from the practice's origin.
adoptions-origin = The practice's origin
adoptions-none = No adoption is recorded yet.
adoptions-add = Record an adoption
adoptions-add-button = Record the adoption
adoption-title = Adoption in { $place }
adoption-organisation = Adopting organisation
adoption-place = Place
adoption-date = Adopted on
adoption-status = Status
adoption-adaptations = What was adapted, and why
adoption-adaptations-hint = What was changed to fit the place: language, law, staff, technology.
adoption-results = Results
adoption-learned-from = Learned from
adoption-learned-from-hint = The adoption that showed them the practice, if it was not the origin.
adoption-from-origin = The practice's origin
adoption-derived = Their own practice record
adoption-derived-hint = The id of the adopter's own record of the practice, if they wrote one.
adoption-their-record = the adopter's record
adoption-links = Links
adoption-links-hint = One address per line.
adoption-contact = Contact organisation
adoption-edit = Change this adoption
services-heading = Simplified services (Time, Cost, Visits)
services-lead = Each service's process step by step, before and after simplification: what a citizen spends to get it.
services-none = No service is measured for this practice yet.
services-add = Add a simplified service
services-yearly = A year of applications saves { $hours } hours, { $money } and { $visits } visits.
service-new = A simplified service
service-new-lead = Write the process as a citizen lives it: each step, who acts, the hours spent travelling, waiting and being served, what it costs, and whether it needs a visit. First as it was, then as it is now.
service-name = Service
service-agency = Agency that provides it
service-place = Place
service-place-hint = A country or subdivision code, such as BD-13.
service-volume = Applications a year
service-volume-hint = A whole number, such as 12000.
service-currency = Currency
service-currency-hint = The ISO 4217 code the costs are in, such as BDT; a step may name another.
service-adoption = Run under an adoption
service-adoption-hint = If the service is the adopter's, which adoption.
service-adoption-origin = No: at the practice's origin
service-map-label = Name of this version
service-live-from = Live since
service-live-from-hint = The day the simplified process started; savings count from then.
service-as-is = As it was
service-to-be = As simplified
service-steps-hint = A row left empty is ignored. Documents are separated by semicolons. Save to get more rows.
service-comparison = Before and after: { $label }
service-current = in use
service-live-since = Live since { $date }.
service-cannot-compare = “{ $label }” cannot be compared yet:
service-charts = Before and after
service-totals = Totals for one application
service-visits-count = { $count ->
    [one] one visit
   *[other] { $count } visits
}
service-under-adoption = run under the adoption in { $place }
service-edit = Edit the service and its steps
sps-time = Time (hours)
sps-cost = Cost
sps-visits = Visits
tcv-saved = Saved
tcv-yearly = In a year
tcv-hours-unit = hours
step-actor = Who
step-action = What happens
step-travel = Travel (h)
step-waiting = Waiting (h)
step-processing = Served (h)
step-fees = Fees
step-travel-cost = Travel cost
step-other-cost = Other costs
step-currency = Currency
step-visit = Visit
step-visit-yes = yes
step-documents = Documents
step-cost = Cost
step-field = Step { $n }: { $field }
step-col-actor = who
step-col-action = what happens
step-col-travel_hours = travel hours
step-col-waiting_hours = waiting hours
step-col-processing_hours = hours being served
step-col-fees = fees
step-col-travel_cost = travel cost
step-col-other_cost = other costs
step-col-currency = currency
step-col-visit = needs a visit
step-col-documents = documents
form-fix = Please correct these fields:
rates-title = Exchange rates
rates-lead = Costs in different currencies are added up in the base currency, at the rate valid on the day a simplified process went live: each rate holds from its date until the next rate of the same currency.
rates-updated = Last changed { $date }.
rates-base = Base currency
rates-base-hint = Every rate is how many units of a currency one unit of the base buys.
rates-currency = Currency
rates-valid-from = Valid from
rates-per-base = Units per one of the base
rates-rows-hint = A row left empty is ignored; save to get more rows.
rates-field = Rate { $n }: { $field }
rates-col-currency = currency
rates-col-valid_from = valid from
rates-col-per_base = units per one of the base
v-adoption-statuses-planned = Planned
v-adoption-statuses-piloting = Piloting
v-adoption-statuses-in_use = In use
v-adoption-statuses-stopped = Stopped
country-impact = What citizens save here
country-impact-more = The impact in { $country }, with charts
country-adopted-here = Practices adopted in { $country }
country-innovation-unit = innovation unit
v-adopted-1 = Adopted in 1 place
v-adopted-2-4 = Adopted in 2 to 4 places
v-adopted-5-or-more = Adopted in 5 places or more
facet-adopted = Adopted elsewhere
map-country-adoptions = { $country }: { $count ->
    [one] 1 adoption
   *[other] { $count } adoptions
}
map-legend-adoptions = Adoptions:
map-adoptions-column = Adoptions
country-deployed = Solutions deployed in { $country }
adoptions-adapted-from = This practice is an adoption of
adoptions-the-adoption = the adoption
record-from-peer = From { $node }: a copy of a record published there, kept up to date by harvesting. It is changed only there.
record-at-home = Read it where it was published
nav-peers = Peers
peers-title = Peers
peers-lead = The Banyan nodes (or other OAI-PMH repositories of Banyan records) this node harvests. Only these are ever contacted. Their published records come here as read-only copies, attributed to them, and leave when they are withdrawn there.
peers-node = Node
peers-until = Harvested up to
peers-last = Last harvest
peers-actions = Actions
peers-never = never
peers-harvest-now = Harvest now
peers-none = No peer yet.
peers-add-url = Base URL of a peer
peers-add-hint = Such as https://th.banyan.example; its OAI-PMH provider is at that address with /oai.
peers-add = Add the peer
