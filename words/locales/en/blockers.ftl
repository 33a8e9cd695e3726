# What must happen before an action is allowed (core/src/blocker.rs). Placeables arrive
# formatted: $distance, $duration and $missing by ICU4X, $stop and $stage from nouns.ftl.

blocker-not-arrived = GPS has not detected your arrival at { $stop }; confirm it by hand with a reason
blocker-not-arrived-at-distance = GPS has not detected your arrival at { $stop } ({ $distance } away); confirm it by hand with a reason
blocker-on-break = you are on a break; end it first
blocker-shift-not-started = start your shift first
blocker-contact-attempts-needed = try to reach the customer { $needed ->
        [one] once
       *[other] { $needed } times
    } first ({ $made } unanswered so far)
blocker-wait-at-door = wait at the door { $duration } more before reporting the customer unreachable
blocker-photo-required = add at least one photo
blocker-reason-required = give a reason
blocker-not-at-dropoff = get to the drop-off first
blocker-goods-on-board = { $tasks ->
        [one] { $tasks } task still has goods in your box; deliver or return it first
       *[other] { $tasks } tasks still have goods in your box; deliver or return them first
    }
blocker-ready-time-not-in-future = the new ready time must be in the future
blocker-already-picked-up = the goods are already picked up; a merchant delay no longer applies
blocker-items-not-confirmed = scan every item first: { $confirmed } of { $expected } confirmed, missing { $missing }
blocker-photo-of-item-required = add a photo of the item
blocker-checklist-incomplete = complete the { $stage }: { $missing }
blocker-appeal-window-closed = ratings can be appealed within { $hours ->
        [one] { $hours } hour
       *[other] { $hours } hours
    }; this one is older
blocker-rating-window-closed = stops can be rated within { $hours ->
        [one] { $hours } hour
       *[other] { $hours } hours
    } after the task
blocker-proof-photo = take a photo of the goods at the door
blocker-proof-signature = get the customer's signature
blocker-proof-code = check the customer's handoff code
blocker-proof-none = give proof of delivery

# Several blockers in one line.
blockers-separator = {"; "}

# What a refused action was ("deliver task F1").
what-accept = accept task { $task }
what-arrive = confirm the arrival for task { $task }
what-pick-up = pick up task { $task }
what-delivered = deliver task { $task }
what-report = report this for task { $task }
what-returned = close the return of task { $task }
what-correct-pin = move the pin of task { $task }
what-confirm-item = confirm the item of task { $task }
what-shift = change the shift
what-appeal = appeal the rating of task { $task }
what-rate-stop = rate the stops of task { $task }
what-answer-case = answer the case about task { $task }
what-set-aside = set aside an item of task { $task }
what-other = { $action } task { $task }

# After-sales and recalls.
blocker-recalled-items = set aside the recalled { $items } first: it must not be handed over
blocker-statement-too-long = the statement can have at most { $max } characters
