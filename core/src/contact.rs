//! Customer contact: the masked number comes from the platform (the phone never sees the real
//! one), attempts are recorded on the timeline (they gate "customer unreachable"), and message
//! templates are filled on the device with the live ETA, in the customer's language
//! (`words/locales/*/customer.ftl`), and sent through the server.

use runsheet_protocol::MessageTemplate;
use runsheet_words::{Args, Words};

/// The text of `template` in the customer's `words` (see
/// [`crate::wording::customer_words`]); `eta_minutes` fills "arriving in about N min" (without
/// one the message says the courier is on the way).
pub fn fill(words: &Words, template: MessageTemplate, eta_minutes: Option<i64>) -> String {
    let plain = |id: &str| words.text(id, &Args::new());
    match template {
        MessageTemplate::ArrivingIn => match eta_minutes {
            Some(n) => words.text(
                "customer-arriving-in",
                &Args::new().str("eta", words.duration(n.clamp(1, i64::MAX / 60) * 60)),
            ),
            None => plain("customer-on-the-way"),
        },
        MessageTemplate::AtTheDoor => plain("customer-at-the-door"),
        MessageTemplate::LeftAtReception => plain("customer-left-at-reception"),
        MessageTemplate::LeftAtDoor => plain("customer-left-at-door"),
    }
}

/// Minutes from `now` to `eta`, rounded up.
pub fn minutes_until(now: i64, eta: i64) -> i64 {
    ((eta - now).max(0) + 59) / 60
}

#[cfg(test)]
mod tests {
    use runsheet_words::Language;

    use super::*;
    use crate::wording::customer_words;

    #[test]
    fn templates_fill_with_the_eta() {
        let en = Words::of(Language::En);
        assert_eq!(
            fill(
                &en,
                MessageTemplate::ArrivingIn,
                Some(minutes_until(0, 301))
            ),
            "Your courier is arriving in about 6 min."
        );
        assert_eq!(
            fill(&en, MessageTemplate::ArrivingIn, Some(0)),
            "Your courier is arriving in about 1 min."
        );
        assert_eq!(
            fill(&en, MessageTemplate::ArrivingIn, None),
            "Your courier is on the way."
        );
        assert!(fill(&en, MessageTemplate::LeftAtReception, None).contains("reception"));
    }

    #[test]
    fn templates_go_out_in_the_customers_language() {
        let zh = customer_words(None);
        assert_eq!(
            fill(&zh, MessageTemplate::ArrivingIn, Some(6)),
            "您的骑手预计6分钟后送达。"
        );
        assert_eq!(
            fill(&zh, MessageTemplate::AtTheDoor, None),
            "您的骑手已到达门口。"
        );
        assert_eq!(
            fill(&zh, MessageTemplate::LeftAtReception, None),
            "您的订单已放在前台。"
        );
        assert_eq!(
            fill(
                &customer_words(Some("en-US")),
                MessageTemplate::LeftAtDoor,
                None
            ),
            "Your order was left at your door."
        );
        // Beyond two hours the ETA reads in hours and minutes, and huge values do not overflow.
        assert_eq!(
            fill(&zh, MessageTemplate::ArrivingIn, Some(150)),
            "您的骑手预计2小时30分钟后送达。"
        );
        let _ = fill(&zh, MessageTemplate::ArrivingIn, Some(i64::MAX));
    }
}
