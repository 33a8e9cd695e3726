# Earnings and incentives (core/src/earnings.rs, screens/src/earnings_page.rs). Amounts are
# formatted by the words crate's money (ICU4X digits, the currency's sign in money.ftl); $amount and
# $bonus arrive formatted.

## What a line pays for.
pay-kind-base = Base pay
pay-kind-distance = Distance
pay-kind-peak = Peak supplement
pay-kind-waiting = Waiting time
pay-kind-tip = Tip
pay-kind-adjustment = Adjustment
pay-kind-bonus = Incentive bonus

## The page.
title-earnings = My earnings
tab-earnings = Earnings
earnings-period-day = Today · { $date }
earnings-period-week = Week from { $date }
offer-earnings-day = Show today
offer-earnings-week = Show this week
earnings-total = Total { $amount }
earnings-confirmed = Confirmed { $amount }
earnings-expected = Expected { $amount }, not yet confirmed by the platform
earnings-empty = Nothing earned in this period yet.
earning-line-title = { $kind } · task { $task }
pay-state-expected = expected
pay-state-confirmed = confirmed
pay-appeal-upheld = Appeal upheld
notice-pay-appealed = Appeal sent.
notify-pay-appeal-upheld = Pay appeal upheld
notify-pay-appeal-rejected = Pay appeal rejected
notify-pay-appeal-body = { $line } ({ $amount }): see My earnings

## Incentive programmes.
incentive-title = { $target } deliveries this week at { $rate } on time or better: { $bonus }
incentive-progress = { $done } of { $target } deliveries · on time { $rate }
incentive-progress-no-rate = { $done } of { $target } deliveries
incentive-met = Bonus earned
incentive-more = { $n ->
    [one] 1 more delivery to go
   *[other] { $n } more deliveries to go
}
incentive-below-rate = On-time rate below { $rate }

## Actions and blockers.
action-appeal-pay = appealing a line of your earnings
what-appeal-pay = appeal a line of your earnings
blocker-pay-not-confirmed = this line is still expected: appeal it once the platform has confirmed it
