# Training and qualifications (core/src/training.rs, screens/src/training_page.rs).

## Entry and titles.
tab-training = Training
title-training = Training and qualifications
title-quiz = Quiz: { $module }
title-review = Six-monthly review
action-take-quiz = submitting a quiz

## The training list.
training-empty = The platform has not published any training yet.
training-state-not-taken = Not taken
training-state-failed = Not passed: take the quiz again
training-state-passed-awaiting-sync = Passed, waiting for the server to confirm
training-state-qualified = Qualified
training-state-expires-soon = Qualification expires soon
training-state-expired = Qualification expired: take the quiz again
training-state-replaced = The module was updated: take the new quiz
training-valid-until = Valid until { $date }
training-expired-on = Expired on { $date }
training-valid-forever = Does not expire
training-needed-for = Needed for: { $what }
training-goods = { $class } goods
training-expiry-warning = Your "{ $module }" qualification expires on { $date } ({ $days } days left): take the quiz again in time.
notify-qualification-soon-title = Qualification expiring
notify-qualification-soon-body = Your "{ $module }" qualification expires on { $date }: take the quiz again in time.
notify-qualification-today-title = Qualification expires today
notify-qualification-today-body = Your "{ $module }" qualification expires today, { $date }: take the quiz again to keep it.
training-quiz-summary = { $questions } questions · pass mark { $mark }
training-last-attempt = Last attempt: { $correct } of { $total } right
training-last-attempt-refused = Your last answers were for an older version and were not recorded
offer-open-module = Open
offer-start-quiz = Start the quiz
offer-show-review = Six-monthly review

## The quiz.
quiz-question-number = Question { $n } of { $total }
quiz-chosen = Chosen: { $choice }
quiz-not-answered = Not answered yet
offer-submit-quiz = Submit answers
quiz-unanswered = { $n } questions are not answered yet
notice-quiz-passed = Passed: { $correct } of { $total } right. The qualification counts from the next sync.
notice-quiz-failed = Not passed: { $correct } of { $total } right, pass mark { $mark }. Read the module again and retake the quiz.

## The six-monthly review.
review-period = { $from } to { $until } · { $deliveries } deliveries
review-qualifications = Qualifications
review-no-qualifications = No qualifications yet

## Blockers and errors.
blocker-not-qualified = this order needs the "{ $modules }" training passed and in force first
error-module-not-found = This training module is not on this phone.
error-module-replaced = This module has been updated to version { $version }; answers to the old version are not recorded. Take the new quiz.
