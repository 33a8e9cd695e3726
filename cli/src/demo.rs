//! `runsheet demo [--locale zh-CN|en]`: one courier's shift, end to end, on loopback, narrated
//! with the screens the courier sees.
//!
//! The shift is a QA scenario (`tests/scenarios/demo-shift.toml`, built into the binary) run by
//! the same engine as `runsheet qa run`: the real reference server with a temporary database,
//! and the courier's core opened through the API the Kotlin and Swift shells use. The courier
//! taps what the screen offers; the narration prints the button as the screen labels it, the
//! task's status in words after the tap, the sync banner, the notice and the notifications, in
//! the chosen language. Midway the server dies; the delivery made meanwhile waits on the phone
//! (the banner says so) and reaches the restarted server exactly once. The scenario's own
//! expectations check that; the demo exits 0 only if they hold.

use std::path::Path;
use std::process::ExitCode;
use std::sync::Mutex;

use runsheet_tests::qa::screens::{Body, Screen};
use runsheet_tests::qa::{self, Narration};

const SHIFT: &str = include_str!("../../tests/scenarios/demo-shift.toml");

/// The narrator's own sentences (the courier's words come from the screens).
struct Frame {
    chinese: bool,
}

impl Frame {
    fn say(&self, en: &'static str, zh: &'static str) -> &'static str {
        if self.chinese {
            zh
        } else {
            en
        }
    }

    fn step(&self, n: &Narration) -> String {
        let task = n.task.as_deref().unwrap_or("");
        match n.action.as_str() {
            "tap" => {
                let label = n.tapped.as_deref().unwrap_or("?");
                let on = if task.is_empty() {
                    String::new()
                } else {
                    format!("{}{task}", self.say(" on ", " · 订单 "))
                };
                let after = match (&n.refusal, n.screen.as_ref()) {
                    (Some(sentence), _) => {
                        format!("{}{sentence}", self.say("refused: ", "被拒绝："))
                    }
                    (None, Some(screen)) if !task.is_empty() => {
                        status_of(screen, task).unwrap_or_default()
                    }
                    (None, Some(screen)) => screen.shift_bar.state.clone(),
                    _ => String::new(),
                };
                format!(
                    "{} {label}{on} → {after}",
                    self.say("courier taps", "骑手点击")
                )
            }
            "sync" => self
                .say(
                    "the app syncs with the dispatch server",
                    "App 与调度服务器同步",
                )
                .into(),
            "kill_server" => self
                .say(
                    "the dispatch server dies (the courier is in a basement, say)",
                    "调度服务器宕机（比如骑手在地下室）",
                )
                .into(),
            "restart_server" => self
                .say("the dispatch server is back", "调度服务器恢复")
                .into(),
            "kill_app" => self
                .say(
                    "the phone kills the app; it reopens from its database",
                    "系统杀掉了 App，重新打开后从本机数据库恢复",
                )
                .into(),
            "expect" => self
                .say(
                    "check what the phone and the server hold",
                    "核对手机与服务器上的数据",
                )
                .into(),
            other => other.replace('_', " "),
        }
    }
}

/// The task's status in words where the courier sees it.
fn status_of(screen: &Screen, task: &str) -> Option<String> {
    match &screen.body {
        Body::Tasks { page } => page
            .rows
            .iter()
            .find(|r| r.task_id == task)
            .map(|r| r.status.clone()),
        Body::Task { page } if page.task_id == task => Some(page.status.clone()),
        _ => None,
    }
}

/// What the narration printed last, to print the banner and the shift bar when they change.
#[derive(Default)]
struct Shown {
    banner: Option<String>,
    shift: Option<String>,
}

fn narrate(frame: &Frame, shown: &Mutex<Shown>, n: &Narration) {
    println!("{:>5}  {}", n.at, frame.step(n));
    if let Some(e) = &n.error {
        println!("       -> {e}");
    }
    let Some(screen) = &n.screen else {
        return;
    };
    let mut last = shown.lock().unwrap_or_else(|p| p.into_inner());
    if last.shift.as_deref() != Some(screen.shift_bar.state.as_str()) {
        println!(
            "         {} {} · {}",
            frame.say("shift bar:", "班次栏："),
            screen.shift_bar.state,
            screen.shift_bar.figures
        );
        last.shift = Some(screen.shift_bar.state.clone());
    }
    // The banner when it comes or goes, and whenever the network is what the step is about.
    let banner = screen
        .sync_banner
        .visible
        .then(|| screen.sync_banner.text.clone());
    let about_network = matches!(
        n.action.as_str(),
        "sync" | "kill_server" | "restart_server" | "expect"
    );
    if banner.is_some() != last.banner.is_some() || (about_network && banner != last.banner) {
        match &banner {
            Some(text) => println!("         {} {text}", frame.say("banner:", "横幅：")),
            None => println!(
                "         {} {}",
                frame.say("banner gone:", "横幅消失："),
                screen.sync_banner.text
            ),
        }
    }
    last.banner = banner;
    if let (Some(notice), "tap", None) = (&screen.notice, n.action.as_str(), &n.refusal) {
        println!(
            "         {} {}",
            frame.say("notice:", "提示："),
            notice.text
        );
    }
    for (title, body) in &n.notified {
        println!(
            "         {} {title} — {body}",
            frame.say("notification:", "通知：")
        );
    }
    let show_list = n.step == 1 || (n.action == "sync" && n.error.is_none());
    if let (true, Body::Tasks { page }) = (show_list, &screen.body) {
        println!("         {}", page.summary);
        for row in &page.rows {
            let button = row
                .primary
                .as_ref()
                .map(|o| {
                    if o.enabled {
                        format!("  [{}]", o.label)
                    } else {
                        format!("  [{}: {}]", o.label, o.why.join(" / "))
                    }
                })
                .unwrap_or_default();
            let waiting = row
                .unsent
                .as_ref()
                .map(|u| format!("  ({u})"))
                .unwrap_or_default();
            println!(
                "         {:<6} {:<12} {}{button}{waiting}",
                row.task_id, row.status, row.title
            );
        }
    }
    if n.pending > 0 && n.action == "sync" {
        println!(
            "         {} {}",
            n.pending,
            frame.say(
                "action(s) saved on the phone, waiting for the network",
                "条操作保存在手机上，等待网络恢复"
            )
        );
    }
}

/// Runs the demo in `locale` (`en` or `zh-CN`); exit status 0 when every delivery reached the
/// server exactly once.
pub fn run(locale: &str) -> ExitCode {
    let mut scenario = match qa::parse(Path::new("demo-shift.toml"), SHIFT.to_owned()) {
        Ok(s) => s,
        Err(e) => {
            eprintln!("demo: {e}");
            return ExitCode::FAILURE;
        }
    };
    let chinese = match locale {
        "zh-CN" | "zh" | "zh-Hans" | "zh-Hans-CN" => true,
        "en" => false,
        other => {
            eprintln!("demo: unknown locale {other:?} (known: en, zh-CN)");
            return ExitCode::from(2);
        }
    };
    scenario.locale = if chinese { "zh-CN" } else { "en" }.to_owned();
    let rt = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(rt) => rt,
        Err(e) => {
            eprintln!("demo: cannot start the runtime: {e}");
            return ExitCode::FAILURE;
        }
    };
    let frame = Frame { chinese };
    println!(
        "{}",
        frame.say(
            "Runsheet demo: a courier shift against the reference server on loopback",
            "Runsheet 演示：骑手的一个班次，连接本机回环上的参考服务器"
        )
    );
    println!(
        "{}\n",
        frame.say(
            "(the same scenario engine as `runsheet qa run`; times are minutes into the shift; the courier's words are the core's screens)",
            "（与 `runsheet qa run` 相同的场景引擎；时间为开班后的分钟数；骑手看到的文字均来自核心的屏幕）"
        )
    );
    let shown = Mutex::new(Shown::default());
    let narrator = |n: &Narration| narrate(&frame, &shown, n);
    let outcome = rt.block_on(qa::run_narrated(&scenario, None, Some(&narrator)));
    match outcome.failure {
        None => {
            println!(
                "\n{}",
                frame.say(
                    "every delivery reached the server exactly once; nothing is left on the phone",
                    "每一单送达都恰好一次到达服务器；手机上没有遗留操作"
                )
            );
            ExitCode::SUCCESS
        }
        Some(f) => {
            eprintln!("\ndemo failed: {f}");
            ExitCode::FAILURE
        }
    }
}
