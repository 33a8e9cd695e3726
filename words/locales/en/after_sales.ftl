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
