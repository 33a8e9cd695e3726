//! The core's words as a shell gets them: the shift state, and a customer message through the
//! facade in the customer's language (the task's `customer_locale`, Chinese when absent).

use runsheet_core::shift::ShiftState;
use runsheet_core::store::Store;
use runsheet_core::{task, wording, Language, Words};
use runsheet_protocol::{StopDoc, TaskDoc, TaskKind, TaskStatus};

#[test]
fn shift_states_read_in_both_languages() {
    let zh = Words::of(Language::ZhCn);
    let en = Words::new("en-GB");
    assert_eq!(ShiftState::OnBreak.in_words(&zh), "休息中");
    assert_eq!(ShiftState::OnDuty.in_words(&zh), "上班中");
    assert_eq!(ShiftState::OffDuty.in_words(&zh), "未上班");
    assert_eq!(ShiftState::OffDuty.in_words(&en), "Off duty");
}

fn doc(id: &str, customer_locale: Option<&str>) -> TaskDoc {
    TaskDoc {
        id: id.into(),
        kind: TaskKind::Parcel,
        status: TaskStatus::AtDropoff,
        pickup: None,
        dropoff: StopDoc {
            due_by: Some(100),
            ..StopDoc::new("Customer", "Somewhere", 30.0, 120.0)
        },
        revision: 1,
        ordered_at: None,
        items: Vec::new(),
        return_to: None,
        handoff_code: None,
        contactless: false,
        proof: Default::default(),
        customer_locale: customer_locale.map(str::to_owned),
        case_id: None,
        take_back: Vec::new(),
        handovers: Vec::new(),
        cash_due: None,
        locker: None,
    }
}

#[test]
fn a_task_carries_the_words_its_customer_reads() {
    let dir = tempfile::tempdir().unwrap();
    let store = Store::open(&dir.path().join("d.db")).unwrap();
    for d in [
        doc("EN", Some("en-US")),
        doc("ZH", None),
        doc("BAD", Some("!!")),
    ] {
        store.write(|tx| task::upsert_from_server(tx, &d)).unwrap();
    }
    let fill = |id: &str| {
        let t = store.read(|c| task::get(c, id)).unwrap().unwrap();
        let words = wording::customer_words(t.customer_locale.as_deref());
        runsheet_core::contact::fill(
            &words,
            runsheet_protocol::MessageTemplate::ArrivingIn,
            Some(4),
        )
    };
    assert_eq!(fill("EN"), "Your courier is arriving in about 4 min.");
    assert_eq!(fill("ZH"), "您的骑手预计4分钟后送达。");
    // A tag that is not one falls back to English, like a courier's.
    assert_eq!(fill("BAD"), "Your courier is arriving in about 4 min.");
}
