//! The terminal shell driven headless: its screens as text snapshots in zh-CN and en, and a
//! whole shift played with keys against an in-process reference server, on a fixed clock.

use std::path::PathBuf;
use std::sync::atomic::{AtomicI64, Ordering};
use std::sync::Arc;

use ratatui::backend::TestBackend;
use ratatui::crossterm::event::{KeyCode, KeyEvent};
use ratatui::text::Span;
use ratatui::Terminal;
use runsheet_core::{Clock, Config, Runsheet, Token};
use runsheet_screens::{Body, CourierApp, Tap};
use runsheet_server::{DbConfig, Dispatcher, ServerConfig};
use serde_json::json;

use super::location::{LocationSource, Pace};
use super::render::render;
use super::shell::{run_loop, Flow, Shell};

const ADMIN: &str = "tui-admin-token-for-tests-only";
/// 2026-11-23 18:00 UTC (times show at the platform's default offset, UTC).
const T0: i64 = 1_795_456_800;
const WIDTH: u16 = 100;
const HEIGHT: u16 = 40;

struct FixedClock(Arc<AtomicI64>);

impl Clock for FixedClock {
    fn now(&self) -> i64 {
        self.0.load(Ordering::SeqCst)
    }
}

/// Time passes only when the shell waits between fixes.
struct VirtualPace(Arc<AtomicI64>);

impl Pace for VirtualPace {
    fn wait(&self, seconds: u64) {
        self.0.fetch_add(seconds as i64, Ordering::SeqCst);
    }
}

struct World {
    shell: Shell,
    terminal: Terminal<TestBackend>,
    /// The reference server's address.
    url: String,
    /// The clock the server and the phone share.
    clock: Arc<AtomicI64>,
    // Dropped last: the shell's syncs run on it.
    runtime: tokio::runtime::Runtime,
    dir: tempfile::TempDir,
}

fn stop(name: &str, address: &str, lat: f64, lon: f64, due_by: Option<i64>) -> serde_json::Value {
    json!({"name": name, "address": address, "phone": "+86 138 0000 0000",
           "lat": lat, "lon": lon, "due_by": due_by})
}

/// A food order with a pickup and one hot bag, and a parcel to drop off.
fn shift_tasks() -> Vec<serde_json::Value> {
    vec![
        json!({"id": "F1", "courier_id": "c1", "kind": "food",
               "pickup": stop("Noodle House 面馆", "12 Wensan Rd 文三路12号", 30.2790, 120.1410, None),
               "dropoff": stop("王女士", "B2, Wulin Plaza 武林广场B2", 30.2745, 120.1620, Some(T0 + 40 * 60)),
               "items": [{"code": "RS1:F1:1/1:C", "name": "Hot bag 热食袋", "temperature": "hot"}],
               "ordered_at": T0 - 300}),
        json!({"id": "P2", "courier_id": "c1", "kind": "parcel",
               "dropoff": stop("Zhou Yan 周燕", "Unit 1201, Qinghe Tower 清河大厦1201", 30.2571, 120.1700, Some(T0 + 90 * 60)),
               "ordered_at": T0 - 600}),
    ]
}

fn world(locale: &str, tasks: Vec<serde_json::Value>, checklists: Vec<serde_json::Value>) -> World {
    world_offering(locale, tasks, checklists, Vec::new())
}

/// [`world`], with these offers made to the courier after the tasks are created (before the
/// phone's first sync).
fn world_offering(
    locale: &str,
    tasks: Vec<serde_json::Value>,
    checklists: Vec<serde_json::Value>,
    offers: Vec<runsheet_protocol::NewOffer>,
) -> World {
    let dir = tempfile::tempdir().unwrap();
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap();
    let clock = Arc::new(AtomicI64::new(T0));
    let server = runsheet_server::start(ServerConfig {
        addr: "127.0.0.1:0".parse().unwrap(),
        db: DbConfig::Sqlite(dir.path().join("server.db")),
        admin_token: Some(ADMIN.into()),
        clock: Some(clock.clone()),
    })
    .unwrap();
    let dispatch = Dispatcher::new(&server.url(), ADMIN);
    let token = runtime.block_on(async {
        let token = dispatch.create_courier("c1", "Courier").await.unwrap();
        for c in checklists {
            dispatch
                .publish_checklist(&serde_json::from_value(c).unwrap())
                .await
                .unwrap();
        }
        for t in tasks {
            dispatch.create_task(&t).await.unwrap();
        }
        for o in offers {
            dispatch.offer(&o).await.unwrap();
        }
        token
    });
    let core = Arc::new(
        Runsheet::open(Config {
            db_path: dir.path().join("phone.db"),
            db_key: None,
            server_url: server.url(),
            token: Token::new(token),
            clock: Arc::new(FixedClock(clock.clone())),
        })
        .unwrap(),
    );
    runtime.block_on(core.sync()).unwrap();
    let url = server.url();
    std::mem::forget(server); // lives as long as the test process
    let app = CourierApp::new(core, locale, true).unwrap();
    let location = LocationSource::new(Arc::new(VirtualPace(clock.clone())), false);
    let shell = Shell::new(
        app,
        runtime.handle().clone(),
        dir.path().join("files"),
        location,
    );
    let terminal = Terminal::new(TestBackend::new(WIDTH, HEIGHT)).unwrap();
    World {
        shell,
        terminal,
        url,
        clock,
        runtime,
        dir,
    }
}

fn key(c: char) -> KeyEvent {
    KeyEvent::from(KeyCode::Char(c))
}

fn enter() -> KeyEvent {
    KeyEvent::from(KeyCode::Enter)
}

/// Typing `text`, then Enter.
fn line(text: &str) -> Vec<KeyEvent> {
    text.chars().map(key).chain([enter()]).collect()
}

impl World {
    /// Presses `keys` through the loop.
    fn press(&mut self, keys: Vec<KeyEvent>) {
        let flow = run_loop(&mut self.terminal, &mut self.shell, keys).unwrap();
        assert_eq!(flow, Flow::Continue);
    }

    /// The number the screen gives the first offer whose tap `is`, checked to be on screen.
    fn number(&self, is: impl Fn(&Tap) -> bool) -> usize {
        let screen = self.shell.screen().expect("drawn");
        let offers = screen.offers();
        let i = offers
            .iter()
            .position(|o| is(&o.tap))
            .unwrap_or_else(|| panic!("not offered; the screen:\n{}", self.text()));
        let shown = format!("[{}]\u{a0}{}", i + 1, offers[i].label);
        assert!(
            self.text().contains(&shown),
            "{shown:?} is not on the screen:\n{}",
            self.text()
        );
        i + 1
    }

    /// Types the offer's number and Enter.
    fn choose(&mut self, is: impl Fn(&Tap) -> bool) {
        let n = self.number(is);
        self.press(line(&n.to_string()));
    }

    /// Answers every question the terminal asks (permissions) with y.
    fn grant_all(&mut self) {
        for _ in 0..10 {
            if self.shell.state().prompt.is_none() {
                return;
            }
            self.press(vec![key('y')]);
        }
        panic!("the terminal keeps asking:\n{}", self.text());
    }

    /// The screen last drawn, rendered afresh on a blank terminal, as text. (The loop's
    /// `TestBackend` keeps a cell a wide character covered until it is written again, which a
    /// real terminal does not: its text is for what a frame shows, not for snapshots.)
    fn text(&self) -> String {
        let mut fresh = Terminal::new(TestBackend::new(WIDTH, HEIGHT)).unwrap();
        let screen = self.shell.screen().expect("drawn");
        fresh
            .draw(|f| render(f, screen, self.shell.state()))
            .unwrap();
        buffer_text(fresh.backend())
    }

    /// Starts the shift from the task list, saying yes to the permissions.
    fn start_shift(&mut self) {
        self.choose(|t| matches!(t, Tap::StartShift));
        self.grant_all();
    }
}

/// A terminal's text: one line per row, wide characters once, trailing blanks cut.
fn buffer_text(backend: &TestBackend) -> String {
    let buffer = backend.buffer();
    let mut out = String::new();
    for y in 0..buffer.area.height {
        let mut row = String::new();
        let mut skip = 0usize;
        for x in 0..buffer.area.width {
            let symbol = buffer[(x, y)].symbol();
            if skip > 0 {
                skip -= 1;
                continue;
            }
            row.push_str(symbol);
            skip = Span::raw(symbol).width().saturating_sub(1);
        }
        out.push_str(row.trim_end());
        out.push('\n');
    }
    out
}

fn snapshot_path(name: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("tests/snapshots")
        .join(format!("{name}.txt"))
}

/// Compares `text` with the snapshot `name` (UPDATE_SNAPSHOTS=1 rewrites it); a difference
/// fails with the lines that differ.
fn snapshot(name: &str, text: &str) {
    let path = snapshot_path(name);
    if std::env::var_os("UPDATE_SNAPSHOTS").is_some_and(|v| v == "1") {
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(&path, text).unwrap();
        return;
    }
    let expected = std::fs::read_to_string(&path).unwrap_or_else(|e| {
        panic!(
            "{}: {e}; run with UPDATE_SNAPSHOTS=1 to write it. The screen:\n{text}",
            path.display()
        )
    });
    if expected == text {
        return;
    }
    let (old, new): (Vec<&str>, Vec<&str>) = (expected.lines().collect(), text.lines().collect());
    let mut diff = String::new();
    for i in 0..old.len().max(new.len()) {
        let (a, b) = (old.get(i), new.get(i));
        if a != b {
            diff.push_str(&format!(
                "line {}:\n- {}\n+ {}\n",
                i + 1,
                a.unwrap_or(&""),
                b.unwrap_or(&"")
            ));
        }
    }
    panic!(
        "{} differs (UPDATE_SNAPSHOTS=1 rewrites it):\n{diff}",
        path.display()
    );
}

fn pickup_checklist() -> serde_json::Value {
    json!({"id": "pickup", "stage": "pickup", "items": [
        {"id": "order", "label": "Order number matches 订单号一致", "kind": {"type": "confirm"}},
        {"id": "temp", "label": "Box temperature 箱温", "kind": {"type": "number", "unit": "°C", "min": 0.0, "max": 60.0}},
    ]})
}

/// The screens of a shift, in `locale`, as snapshots named `{locale}-{screen}`.
fn screens_in(locale: &str) {
    let mut w = world(locale, shift_tasks(), vec![pickup_checklist()]);
    w.press(Vec::new());
    w.start_shift();
    w.choose(|t| matches!(t, Tap::Accept { task_id } if task_id == "F1"));
    snapshot(&format!("{locale}-tasks"), &w.text());
    w.choose(|t| matches!(t, Tap::ShowTask { task_id } if task_id == "F1"));
    // Ride to the pickup: the core sees the courier stay there and records the arrival.
    w.press(vec![key('n')]);
    snapshot(&format!("{locale}-task"), &w.text());
    w.choose(|t| matches!(t, Tap::ShowScan { .. }));
    snapshot(&format!("{locale}-scan"), &w.text());
    w.choose(|t| matches!(t, Tap::Back));
    w.choose(|t| matches!(t, Tap::ShowChecklist { .. }));
    // A temperature typed at the prompt; the answer shows on the checklist.
    w.choose(|t| matches!(t, Tap::Answer { item_id, .. } if item_id == "temp"));
    w.press(line("65"));
    snapshot(&format!("{locale}-checklist"), &w.text());
    w.choose(|t| matches!(t, Tap::Back));
    w.choose(|t| matches!(t, Tap::ShowProblem { .. }));
    snapshot(&format!("{locale}-problem"), &w.text());
    w.choose(|t| matches!(t, Tap::ShowKpis));
    snapshot(&format!("{locale}-kpis"), &w.text());
    w.choose(|t| matches!(t, Tap::ShowEarnings { .. }));
    snapshot(&format!("{locale}-earnings"), &w.text());
}

/// The offers page, in `locale`, as the snapshot `{locale}-offers`: an order offered beside
/// the courier's two, with the time left, what it adds to the plan, accept and the declines.
fn offers_in(locale: &str) {
    let mut tasks = shift_tasks();
    tasks.push(json!({"id": "N3", "kind": "food",
        "pickup": stop("Dumpling House 小笼包", "30 Wensan Rd 文三路30号", 30.2780, 120.1450, None),
        "dropoff": stop("张先生", "8 Tiyuchang Rd 体育场路8号", 30.2750, 120.1590, Some(T0 + 50 * 60)),
        "ordered_at": T0 - 120}));
    let offer = runsheet_protocol::NewOffer {
        courier_id: "c1".into(),
        task_ids: vec!["N3".into()],
        expires_in_s: None,
    };
    let mut w = world_offering(locale, tasks, Vec::new(), vec![offer]);
    w.press(Vec::new());
    w.choose(|t| matches!(t, Tap::ShowOffers));
    snapshot(&format!("{locale}-offers"), &w.text());
}

/// The nearby handovers page, in `locale`, as the snapshot `{locale}-nearby`: courier c2's
/// scooter broke down five minutes ago with two bags of H1 on board; c1, on duty 400 m away,
/// opens the page from the offers page.
fn nearby_in(locale: &str) {
    let mut w = world(locale, shift_tasks(), Vec::new());
    let dispatch = Dispatcher::new(&w.url, ADMIN);
    let token = w.runtime.block_on(async {
        let token = dispatch.create_courier("c2", "Courier 2").await.unwrap();
        dispatch
            .create_task(&json!({"id": "H1", "courier_id": "c2", "kind": "food",
                "pickup": stop("Noodle House 面馆", "12 Wensan Rd 文三路12号", 30.2790, 120.1410, None),
                "dropoff": stop("李先生", "3 Huanglong Rd 黄龙路3号", 30.2700, 120.1500, Some(T0 + 45 * 60)),
                "items": [{"code": "RS1:H1:1/2:U", "name": "Bag 1 热食袋", "temperature": "hot"},
                          {"code": "RS1:H1:2/2:M", "name": "Bag 2 饮料袋"}],
                "ordered_at": T0 - 600}))
            .await
            .unwrap();
        token
    });
    let giver = Runsheet::open(Config {
        db_path: w.dir.path().join("c2.db"),
        db_key: None,
        server_url: w.url.clone(),
        token: Token::new(token),
        clock: Arc::new(FixedClock(w.clock.clone())),
    })
    .unwrap();
    w.runtime.block_on(giver.sync()).unwrap();
    giver.start_shift().unwrap();
    giver.accept("H1").unwrap();
    giver.arrive_manually("H1", "at the counter").unwrap();
    for code in ["RS1:H1:1/2:U", "RS1:H1:2/2:M"] {
        giver
            .scan("H1", code, runsheet_gs1::Symbology::QrCode)
            .unwrap();
    }
    giver.pick_up("H1").unwrap();
    giver
        .request_handover(
            "H1",
            runsheet_protocol::HandoverReason::VehicleBreakdown,
            None,
        )
        .unwrap();
    w.runtime.block_on(giver.sync()).unwrap();
    w.clock.fetch_add(5 * 60, Ordering::SeqCst);
    w.press(Vec::new());
    w.start_shift();
    w.shell
        .app()
        .core()
        .record_location(30.2800, 120.1450, 5.0)
        .unwrap();
    w.choose(|t| matches!(t, Tap::ShowOffers));
    w.choose(|t| matches!(t, Tap::OpenNearbyHandovers));
    // The list comes from the server on the shell's runtime.
    for _ in 0..400 {
        let busy = matches!(&w.shell.app().screen().unwrap().body,
            Body::NearbyHandovers { page } if page.busy);
        if !busy {
            break;
        }
        std::thread::sleep(std::time::Duration::from_millis(25));
    }
    w.press(Vec::new());
    snapshot(&format!("{locale}-nearby"), &w.text());
    assert!(w.text().contains("H1"), "{}", w.text());
}

#[test]
fn the_nearby_handovers_page_in_both_languages() {
    nearby_in("zh-CN");
    nearby_in("en");
}

#[test]
fn the_offers_page_in_both_languages() {
    offers_in("zh-CN");
    offers_in("en");
}

#[test]
fn the_screens_in_chinese() {
    screens_in("zh-CN");
}

#[test]
fn the_screens_in_english() {
    screens_in("en");
}

/// Plays a whole shift with keys: start, accept, ride to the stop, deliver, end; returns the
/// last screen's text.
fn shift_in(locale: &str) -> String {
    let tasks = vec![json!({"id": "P1", "courier_id": "c1", "kind": "parcel",
        "dropoff": stop("Zhou Yan 周燕", "Unit 1201, Qinghe Tower", 30.2571, 120.1700, Some(T0 + 3600)),
        "ordered_at": T0 - 60})];
    let mut w = world(locale, tasks, Vec::new());
    w.press(Vec::new());
    w.start_shift();
    w.choose(|t| matches!(t, Tap::Accept { task_id } if task_id == "P1"));
    w.press(vec![key('n')]);
    let screen = w.shell.screen().unwrap().clone();
    let Body::Tasks { page } = &screen.body else {
        panic!("{}", w.text())
    };
    assert!(
        page.rows[0]
            .primary
            .as_ref()
            .is_some_and(|p| matches!(p.tap, Tap::Deliver { .. })),
        "arrival detected from the fixes:\n{}",
        w.text()
    );
    w.choose(|t| matches!(t, Tap::Deliver { .. }));
    w.choose(|t| matches!(t, Tap::EndShift));
    // Ending the shift may ask to confirm.
    if w.shell.state().prompt.is_some() {
        w.press(vec![key('y')]);
    }
    // q quits; the last frame is what the loop drew.
    let flow = run_loop(&mut w.terminal, &mut w.shell, [key('q')]).unwrap();
    assert_eq!(flow, Flow::Quit);
    buffer_text(w.terminal.backend())
}

#[test]
fn a_whole_shift_with_keys_in_chinese() {
    let text = shift_in("zh-CN");
    assert!(text.contains("已送达"), "{text}");
    assert!(text.contains("未上班"), "{text}");
}

#[test]
fn a_whole_shift_with_keys_in_english() {
    let text = shift_in("en");
    assert!(text.contains("Delivered"), "{text}");
    assert!(text.contains("Off duty"), "{text}");
}

#[test]
fn a_refused_tap_shows_the_cores_sentence() {
    let mut w = world("zh-CN", shift_tasks(), Vec::new());
    w.press(Vec::new());
    // Number 999 is not on the screen.
    w.press(line("999"));
    assert!(w.text().contains("没有这个编号"), "{}", w.text());
    w.start_shift();
    w.choose(|t| matches!(t, Tap::Accept { task_id } if task_id == "P2"));
    // A manual arrival with an empty reason: the core refuses, in Chinese.
    w.choose(|t| matches!(t, Tap::ArriveManually { task_id, .. } if task_id == "P2"));
    w.press(vec![enter()]);
    let refusal = w.shell.state().message.clone().expect("a refusal");
    assert!(w.text().contains(&format!("» {refusal}")), "{}", w.text());
}

#[test]
fn proof_is_taken_with_the_terminals_camera_and_a_call_is_dialled() {
    let tasks = vec![
        json!({"id": "P1", "courier_id": "c1", "kind": "parcel", "proof": "photo",
               "dropoff": stop("Zhou Yan 周燕", "Unit 1201", 30.2571, 120.1700, None),
               "ordered_at": T0 - 60}),
        json!({"id": "P2", "courier_id": "c1", "kind": "parcel", "proof": "signature",
               "dropoff": stop("Li Wei", "B2, Wulin Plaza", 30.2745, 120.1620, None),
               "ordered_at": T0 - 30}),
    ];
    let mut w = world("en", tasks, Vec::new());
    w.press(Vec::new());
    w.start_shift();
    w.choose(|t| matches!(t, Tap::Accept { task_id } if task_id == "P1"));
    w.choose(|t| matches!(t, Tap::ShowTask { task_id } if task_id == "P1"));
    w.press(vec![key('n')]);
    // The customer's masked number is dialled: printed.
    w.choose(|t| matches!(t, Tap::CallCustomer { .. }));
    assert!(
        w.shell
            .state()
            .effects
            .iter()
            .any(|e| e.contains("dial +86 138 0000 0000")),
        "{}",
        w.text()
    );
    // Delivering waits for the proof photo; Enter at the camera's prompt writes one.
    let deliver = |t: &Tap| matches!(t, Tap::Deliver { task_id } if task_id == "P1");
    let offers = |w: &World| {
        w.shell
            .screen()
            .unwrap()
            .offers()
            .into_iter()
            .cloned()
            .collect::<Vec<_>>()
    };
    assert!(offers(&w).iter().any(|o| deliver(&o.tap) && !o.enabled));
    w.choose(|t| matches!(t, Tap::TakeProofPhoto { .. }));
    assert!(
        w.shell.state().prompt.is_some(),
        "the camera asks:\n{}",
        w.text()
    );
    w.press(vec![enter()]);
    let photo = w
        .shell
        .state()
        .effects
        .iter()
        .find_map(|e| e.strip_prefix("图片/image "));
    let photo = PathBuf::from(photo.expect("a generated image"));
    assert!(std::fs::read(&photo).unwrap().starts_with(b"\x89PNG"));
    assert!(
        offers(&w).iter().any(|o| deliver(&o.tap) && o.enabled),
        "{}",
        w.text()
    );
    w.choose(deliver);
    // A signature from a file the courier names.
    w.choose(|t| matches!(t, Tap::ShowTasks));
    w.choose(|t| matches!(t, Tap::Accept { task_id } if task_id == "P2"));
    w.choose(|t| matches!(t, Tap::ShowTask { task_id } if task_id == "P2"));
    w.press(vec![key('n')]);
    let signature = photo.with_file_name("signed.png");
    std::fs::write(&signature, super::placeholder::png("signed")).unwrap();
    w.choose(|t| matches!(t, Tap::TakeSignature { .. }));
    w.press(line(&signature.display().to_string()));
    w.choose(|t| matches!(t, Tap::Deliver { task_id } if task_id == "P2"));
    // Sync now: the core asks the shell for a sync, which the terminal runs.
    assert!(w.shell.app().core().sync_status().unwrap().pending > 0);
    w.choose(|t| matches!(t, Tap::SyncNow));
    assert!(
        w.shell
            .state()
            .effects
            .iter()
            .any(|e| e.starts_with("同步/sync")),
        "{}",
        w.text()
    );
    let core = w.shell.app().core().clone();
    for _ in 0..200 {
        if core.sync_status().unwrap().pending == 0 {
            break;
        }
        std::thread::sleep(std::time::Duration::from_millis(50));
    }
    assert_eq!(core.sync_status().unwrap().pending, 0, "the sync ran");
    assert!(
        core.tasks()
            .unwrap()
            .iter()
            .all(|t| t.status == runsheet_protocol::TaskStatus::Delivered),
        "{}",
        w.text()
    );
}

#[test]
fn a_permission_refused_at_the_prompt_is_the_screens_to_show() {
    let mut w = world("zh-CN", shift_tasks(), Vec::new());
    w.press(Vec::new());
    w.start_shift();
    w.choose(|t| matches!(t, Tap::Accept { task_id } if task_id == "F1"));
    w.choose(|t| matches!(t, Tap::ShowTask { task_id } if task_id == "F1"));
    w.press(vec![key('n')]);
    w.choose(|t| matches!(t, Tap::ShowScan { .. }));
    w.choose(|t| matches!(t, Tap::StartCamera { .. }));
    let asked = w
        .shell
        .state()
        .prompt
        .clone()
        .expect("the camera permission is asked");
    assert!(asked.question.ends_with("(y/n)"), "{}", asked.question);
    w.press(vec![key('n')]);
    let screen = w.shell.screen().unwrap().clone();
    let Body::Scan { page } = &screen.body else {
        panic!("{}", w.text())
    };
    assert_eq!(page.camera, runsheet_screens::CameraState::Denied);
    let said = page
        .camera_text
        .clone()
        .expect("the screen says what to do");
    assert!(w.text().contains(&said), "{}", w.text());
    assert!(
        w.shell
            .state()
            .effects
            .iter()
            .any(|e| e == "权限/permission Camera: n"),
        "{:?}",
        w.shell.state().effects
    );
}
