# After-sales cases and recalls (core/src/cases.rs, core/src/recall.rs, screens/src/cases_page.rs).
# Ids of kinds, statuses, teams and faults follow the protocol's stable names (`_` as `-`).

## What a case is about.
case-kind-enquiry = Customer enquiry
case-kind-late = Late delivery
case-kind-damaged = Damaged goods
case-kind-wrong-item = Wrong item
case-kind-missing-item = Missing item
case-kind-not-received = Not received
case-kind-conduct = Courier conduct
case-kind-other = Other complaint
case-kind-return-request = Return request
case-kind-exchange-request = Exchange request
case-kind-delivery-exception = Delivery problem
case-kind-conflict = Conflict
case-kind-cold-chain-breach = Cold chain breach
case-kind-low-rating = Low rating
case-kind-handoff-code-failed = Handoff code failed
case-kind-recall = Recalled goods

## Where a case stands.
case-status-open = open
case-status-acknowledged = acknowledged
case-status-waiting-for-courier = waiting for your statement
case-status-resolved = resolved
case-status-rejected = rejected
case-status-closed = closed
case-status-reopened = reopened

## The team that owns a case.
case-team-enquiries = Enquiries
case-team-complaints = Complaints
case-team-returns = Returns and exchanges
case-team-delivery-problems = Delivery problems

## Whom a confirmed order error counts against.
fault-courier = Counted as your order error
fault-merchant = Counted against the merchant

## The cases page and a case's page.
title-cases = My cases
title-case = Case { $case }
tab-cases = Cases
cases-empty = No after-sales cases about your deliveries.
case-title = Case { $case } · { $kind }
case-about-task = About task { $task }
case-opened = Opened { $time }
case-answer-by = Answer by { $time } ({ $left })
case-settle-by = To be settled by { $time } ({ $left })
case-due-in = due in { $duration }
case-overdue = overdue
case-breached = A deadline of this case was missed.
case-statement = Your statement: { $text }
case-statement-pending = Your statement is saved on this phone and sent with the next sync.
case-resolution = Resolution: { $text }
case-follow-up = Follow-up task { $task }
offer-answer-case = Answer
offer-show-case = Open
input-statement = What happened (up to 2000 characters)

## A task's cases, items taken back and recalled items.
task-case-link = Case { $case }: { $kind } ({ $status })
note-created-by-case = Created by case { $case } ({ $kind })
note-take-back = Take back at the door: { $items }
item-recalled = Recalled: set it aside, do not hand it over
item-set-aside = Set aside (not handed over)
offer-set-aside = Set aside
verdict-recalled = Recalled batch ({ $reason }): do not hand it over; set it aside.
notice-case-answered = Statement saved; it is sent with the next sync.
notice-set-aside = Item set aside; it is not handed over.
event-answer-case = Case answered
event-set-aside = Recalled item set aside

## Notifications.
notify-case-waiting = A case needs your statement
notify-case-new = New case about your delivery
notify-case-body = { $kind } · task { $task }

## After-sales figures on the KPI page.
kpi-cases = After-sales cases
kpi-complaints = Complaints per 100 deliveries
kpi-cases-within-deadline = Cases settled in time
kpi-cases-breached = Cases past a deadline
kpi-no-target = No target
