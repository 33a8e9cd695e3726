# At the door: cash on delivery (the amount due, collected, change, the hand-in at the end of
# the shift), lockers and pickup points (scan the locker's label and the compartment), and
# age and ID checks for restricted goods (the document's kind and the outcome only, never its
# number or the customer's birth date).

## Why a typed amount cannot be recorded.
amount-empty = no amount was entered
amount-not-a-number = the amount is not a number
amount-too-many-decimals = { $allowed ->
    [0] { $currency } has no decimals
    [one] { $currency } allows at most 1 decimal
   *[other] { $currency } allows at most { $allowed } decimals
}
amount-negative = an amount cannot be negative, nor the change more than was collected
amount-too-large = the amount is too large
amount-unknown-currency = the platform does not settle in { $currency }
amount-currency-mismatch = the amount must be in { $expected }, not { $found }

## Errors.
error-invalid-amount = The amount cannot be recorded: { $problem }. Nothing was recorded.
error-wrong-locker = That code is not the label of task { $task }'s locker or pickup point; nothing was recorded. Scan it at the right locker.

## Blockers.
blocker-id-check-refused = the ID check was refused ({ $outcome }): do not hand the goods over; report the failed delivery and take them back
blocker-cash-not-collected = cash on delivery: collect { $due } and record it first
blocker-cash-reason-required = collected minus change is { $kept }, not the { $due } due: give the reason
blocker-locker-not-scanned = scan the locker's (or pickup point's) label and the compartment first
blocker-cash-not-handed-in = you still hold { $held } in cash: hand it in first
what-collect-cash = record the cash of task { $task }
what-locker-drop = record the locker drop-off of task { $task }
what-hand-in-cash = hand in the cash

## Actions (inside sentences), the timeline, the problem reason.
action-collect-cash = recording the cash
action-hand-in-cash = handing in the cash
action-locker-drop = recording the locker drop-off
event-collect-cash = Cash recorded
event-hand-in-cash = Cash handed in
event-locker-drop = Put in the locker
reason-id-check-refused = ID check refused

## Age and ID checks.
id-outcome-passed = Passed
id-outcome-underage = Underage
id-outcome-no-document = No document shown
id-outcome-document-invalid = Document not valid
id-document-id-card = ID card
id-document-passport = Passport
id-document-driving-licence = Driving licence
id-document-residence-permit = Residence permit
id-document-not-shown = No document
answer-id-check = { $document }: { $outcome }
answer-id-outcome = { $outcome }
input-id-document = Document checked
checklist-id-refused = Refused: do not hand over; the goods go back.
notice-id-refused = ID check refused: the delivery failed; take the goods back.

## Cash on delivery.
note-cash-due = Cash on delivery: collect { $due }
note-cash-collected = Collected { $collected }, change { $change } ({ $due } due)
note-cash-discrepancy = Cash off by { $difference }; reported
offer-collect-cash = Record cash ({ $due } due)
input-cash-collected = Cash collected
input-cash-change = Change given
input-cash-reason = Why it does not add up
notice-cash-recorded = Cash recorded.
offer-hand-in-cash = Hand in cash ({ $held } held)
input-cash-handed = Cash handed in
notice-cash-balanced = Handed in { $handed }: it balances.
notice-cash-short = Handed in { $handed } of { $held }: { $difference } short; reported.
notice-cash-over = Handed in { $handed } of { $held }: { $difference } over; reported.

## Lockers and pickup points.
locker-kind-locker = locker
locker-kind-pickup-point = pickup point
note-locker = To { $kind } { $locker }: scan its label and the compartment
note-locker-dropped = In { $kind } { $locker }, compartment { $compartment }
note-pickup-code = Customer's pickup code: { $code }
offer-locker-drop = Scan into the locker
input-locker-code = Locker's label
input-compartment = Compartment
notice-locker-dropped = Locker drop-off recorded.
