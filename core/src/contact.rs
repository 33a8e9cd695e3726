//! Customer contact: the masked number comes from the platform (the phone never sees the real
//! one), attempts are recorded on the timeline (they gate "customer unreachable"), and message
//! templates are filled on the device with the live ETA and sent through the server.

use runsheet_protocol::MessageTemplate;

/// The text of `template`; `eta_minutes` fills "arriving in N min" (without one the message
/// says the courier is on the way).
pub fn fill(template: MessageTemplate, eta_minutes: Option<i64>) -> String {
    match template {
        MessageTemplate::ArrivingIn => match eta_minutes {
            Some(n) => format!("Your courier is arriving in about {} min.", n.max(1)),
            None => "Your courier is on the way.".into(),
        },
        MessageTemplate::AtTheDoor => "Your courier is at your door.".into(),
        MessageTemplate::LeftAtReception => "Your order was left at reception.".into(),
        MessageTemplate::LeftAtDoor => "Your order was left at your door.".into(),
    }
}

/// Minutes from `now` to `eta`, rounded up.
pub fn minutes_until(now: i64, eta: i64) -> i64 {
    ((eta - now).max(0) + 59) / 60
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn templates_fill_with_the_eta() {
        assert_eq!(
            fill(MessageTemplate::ArrivingIn, Some(minutes_until(0, 301))),
            "Your courier is arriving in about 6 min."
        );
        assert_eq!(
            fill(MessageTemplate::ArrivingIn, Some(0)),
            "Your courier is arriving in about 1 min."
        );
        assert_eq!(
            fill(MessageTemplate::ArrivingIn, None),
            "Your courier is on the way."
        );
        assert!(fill(MessageTemplate::LeftAtReception, None).contains("reception"));
    }
}
