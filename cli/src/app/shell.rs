//! The terminal shell's loop: keys in, taps to the core, effects carried out in terminal form,
//! the screen drawn after each key. Generic over the backend and the source of keys, so tests
//! drive it headless with ratatui's `TestBackend` and a script of keys.

use std::collections::VecDeque;
use std::path::PathBuf;
use std::sync::{Arc, Mutex};

use ratatui::backend::Backend;
use ratatui::crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use ratatui::Terminal;
use runsheet_screens::{
    Body, CourierApp, Effect, EffectResult, Offer, OfferStyle, Permission, PhotoPurpose, Screen,
    ScreenListener, ScreenUpdate, Tap,
};

use super::location::LocationSource;
use super::placeholder;
use super::render::render;

/// The terminal's own words (all others come from the screen).
pub const KEY_HELP: &str = "0-9⏎ 选择/pick · n 下一站/next stop · r 刷新/refresh · q 退出/quit";
/// The effects pane's title.
pub const EFFECTS_TITLE: &str = " 效果/effects ";
const YES_NO: &str = "y/n";
const PATH_OR_ENTER: &str = "图片路径，回车生成/image path, Enter: generate";
const NO_SUCH_OFFER: &str = "没有这个编号/no such number";

/// Most lines the effects pane keeps.
const EFFECTS_KEPT: usize = 200;

/// What the terminal shows besides the screen.
#[derive(Debug, Default, Clone)]
pub struct TerminalState {
    /// The offer number being typed.
    pub pick: String,
    /// A question waiting for the courier's answer.
    pub prompt: Option<Prompt>,
    /// The last refusal's sentence (from the core), until the next key.
    pub message: Option<String>,
    /// The effects carried out so far, oldest first.
    pub effects: Vec<String>,
    /// The location mode the core asked for, as shown.
    pub location: Option<String>,
}

/// A question at the bottom of the screen.
#[derive(Debug, Clone)]
pub struct Prompt {
    /// What is asked (from the screen, with the terminal's "y/n" or the like).
    pub question: String,
    /// What the courier typed so far.
    pub buffer: String,
    /// What the answer is for.
    pub purpose: Asking,
}

/// What a prompt's answer is for.
#[derive(Debug, Clone)]
pub enum Asking {
    /// The inputs of an offer, `next` the one being asked; `tap` filled so far.
    Inputs {
        /// The offer (boxed: an offer and a tap side by side dwarf the other prompts).
        offer: Box<Offer>,
        /// The input asked now.
        next: usize,
        /// The tap with the inputs given so far.
        tap: Tap,
    },
    /// Confirm a destructive offer (y/n).
    Confirm {
        /// The tap to send.
        tap: Tap,
    },
    /// A permission (y/n).
    Permission {
        /// Which.
        permission: Permission,
    },
    /// A photo: a file's path, or Enter for a generated image.
    Photo {
        /// Why it is taken.
        purpose: PhotoPurpose,
    },
    /// A signature image.
    Signature {
        /// The task.
        task_id: String,
    },
}

/// Whether the loop goes on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Flow {
    /// Keys ran out; the shell is still open.
    Continue,
    /// The courier quit.
    Quit,
}

/// The loop's failure: the terminal could not be drawn.
#[derive(Debug, thiserror::Error)]
#[error("the terminal could not be drawn: {0}")]
pub struct DrawError(String);

/// Effects the core asked for, waiting for the loop.
#[derive(Default)]
struct Inbox(Mutex<VecDeque<Effect>>);

impl ScreenListener for Inbox {
    fn on_screen(&self, _update: ScreenUpdate) {
        // The loop draws the whole screen afresh after every key and tick.
    }
    fn on_effect(&self, effect: Effect) {
        self.0
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .push_back(effect);
    }
}

/// The courier app in a terminal.
pub struct Shell {
    app: CourierApp,
    inbox: Arc<Inbox>,
    state: TerminalState,
    screen: Option<Screen>,
    runtime: tokio::runtime::Handle,
    files: PathBuf,
    location: LocationSource,
    photos: u32,
}

impl Shell {
    /// The shell over `app`: syncs (and lets the app fetch) on `runtime`, writes generated images into `files`, feeds
    /// fixes from `location`.
    pub fn new(
        app: CourierApp,
        runtime: tokio::runtime::Handle,
        files: PathBuf,
        location: LocationSource,
    ) -> Self {
        let inbox = Arc::new(Inbox::default());
        app.subscribe(inbox.clone());
        // The app's own network work (the nearby handovers) runs there too.
        app.set_runtime(runtime.clone());
        Shell {
            app,
            inbox,
            state: TerminalState::default(),
            screen: None,
            runtime,
            files,
            location,
            photos: 0,
        }
    }

    /// The app underneath.
    #[cfg(test)]
    pub fn app(&self) -> &CourierApp {
        &self.app
    }

    /// What the terminal shows besides the screen.
    #[cfg(test)]
    pub fn state(&self) -> &TerminalState {
        &self.state
    }

    /// The screen last drawn.
    #[cfg(test)]
    pub fn screen(&self) -> Option<&Screen> {
        self.screen.as_ref()
    }

    /// Carries out waiting effects, computes the screen and draws it.
    pub fn draw<B: Backend>(&mut self, terminal: &mut Terminal<B>) -> Result<(), DrawError> {
        self.carry_out_effects();
        match self.app.screen() {
            Ok(s) => self.screen = Some(s),
            Err(e) => tracing::error!(error = %e, "the screen could not be computed"),
        }
        let Some(screen) = &self.screen else {
            return Ok(());
        };
        let state = &self.state;
        terminal
            .draw(|f| render(f, screen, state))
            .map(|_| ())
            .map_err(|e| DrawError(e.to_string()))
    }

    /// Handles one key.
    pub fn key(&mut self, key: KeyEvent) -> Flow {
        if key.code == KeyCode::Null {
            return Flow::Continue; // a tick: only redraw
        }
        if key.modifiers.contains(KeyModifiers::CONTROL) && key.code == KeyCode::Char('c') {
            return Flow::Quit;
        }
        self.state.message = None;
        if self.state.prompt.is_some() {
            self.prompt_key(key);
            return Flow::Continue;
        }
        match key.code {
            KeyCode::Char(c) if c.is_ascii_digit() => self.state.pick.push(c),
            KeyCode::Backspace => {
                self.state.pick.pop();
            }
            KeyCode::Esc => self.state.pick.clear(),
            KeyCode::Enter => {
                let pick = std::mem::take(&mut self.state.pick);
                if let Ok(n) = pick.parse::<usize>() {
                    self.choose(n);
                }
            }
            KeyCode::Char('q') => return Flow::Quit,
            KeyCode::Char('r') => self.app.refresh(),
            KeyCode::Char('n') => self.next_stop(),
            _ => {}
        }
        Flow::Continue
    }

    /// The courier picked offer number `n`.
    fn choose(&mut self, n: usize) {
        let Some(offer) = self
            .screen
            .as_ref()
            .and_then(|s| s.offers().get(n.wrapping_sub(1)).map(|o| (*o).clone()))
        else {
            self.state.message = Some(NO_SUCH_OFFER.into());
            return;
        };
        // Blocked: sent anyway, so that the core's refusal says why in the screen's words.
        if offer.enabled && !offer.inputs.is_empty() {
            let tap = offer.tap.clone();
            self.ask_input(offer, 0, tap);
        } else if offer.enabled && offer.style == OfferStyle::Destructive {
            self.state.prompt = Some(Prompt {
                question: format!("{} ({YES_NO})", offer.label),
                buffer: String::new(),
                purpose: Asking::Confirm { tap: offer.tap },
            });
        } else {
            self.send(offer.tap);
        }
    }

    fn ask_input(&mut self, offer: Offer, next: usize, tap: Tap) {
        let Some(spec) = offer.inputs.get(next) else {
            self.send(tap);
            return;
        };
        let question = match (spec.min, spec.max) {
            (Some(lo), Some(hi)) => format!("{} · {} ({lo}–{hi})", offer.label, spec.label),
            _ => format!("{} · {}", offer.label, spec.label),
        };
        self.state.prompt = Some(Prompt {
            question,
            buffer: String::new(),
            purpose: Asking::Inputs {
                offer: Box::new(offer),
                next,
                tap,
            },
        });
    }

    fn send(&mut self, tap: Tap) {
        if let Err(e) = self.app.tap(tap) {
            self.state.message = Some(e.to_string());
        }
    }

    fn resolve(&mut self, result: EffectResult) {
        if let Err(e) = self.app.resolve(result) {
            self.state.message = Some(e.to_string());
        }
    }

    fn prompt_key(&mut self, key: KeyEvent) {
        let Some(mut prompt) = self.state.prompt.take() else {
            return;
        };
        let yes_no = matches!(
            prompt.purpose,
            Asking::Confirm { .. } | Asking::Permission { .. }
        );
        match key.code {
            KeyCode::Char(c) if yes_no => match c {
                'y' | 'Y' => self.answer(prompt.purpose, String::new(), true),
                'n' | 'N' => self.answer(prompt.purpose, String::new(), false),
                _ => self.state.prompt = Some(prompt),
            },
            KeyCode::Char(c) => {
                prompt.buffer.push(c);
                self.state.prompt = Some(prompt);
            }
            KeyCode::Backspace => {
                prompt.buffer.pop();
                self.state.prompt = Some(prompt);
            }
            KeyCode::Enter if !yes_no => self.answer(prompt.purpose, prompt.buffer, true),
            KeyCode::Esc => self.answer(prompt.purpose, String::new(), false),
            _ => self.state.prompt = Some(prompt),
        }
    }

    /// The courier answered a prompt: `yes` false when refused or cancelled.
    fn answer(&mut self, purpose: Asking, text: String, yes: bool) {
        match purpose {
            Asking::Inputs { offer, next, tap } => {
                if !yes {
                    return;
                }
                let field = offer.inputs.get(next).map(|s| s.field.clone());
                let words = runsheet_words::Words::of(
                    self.screen
                        .as_ref()
                        .map_or(runsheet_words::Language::En, |s| s.language),
                );
                match tap.with_input(field.as_deref().unwrap_or(""), &text, &words) {
                    Ok(tap) => self.ask_input(*offer, next + 1, tap),
                    Err(e) => self.state.message = Some(e.to_string()),
                }
            }
            Asking::Confirm { tap } => {
                if yes {
                    self.send(tap);
                }
            }
            Asking::Permission { permission } => {
                self.log(format!("权限/permission {permission:?}: {}", yn(yes)));
                self.resolve(EffectResult::Permission {
                    permission,
                    granted: yes,
                });
            }
            Asking::Photo { purpose } => match self.image(&text, yes, "photo") {
                Some(path) => self.resolve(EffectResult::PhotoTaken { purpose, path }),
                None => self.resolve(EffectResult::Cancelled),
            },
            Asking::Signature { task_id } => match self.image(&text, yes, "signature") {
                Some(path) => self.resolve(EffectResult::SignatureTaken { task_id, path }),
                None => self.resolve(EffectResult::Cancelled),
            },
        }
    }

    /// The image the courier gave (a path), or a generated one on Enter; `None` if cancelled
    /// or not written.
    fn image(&mut self, text: &str, yes: bool, what: &str) -> Option<String> {
        if !yes {
            return None;
        }
        if !text.trim().is_empty() {
            return Some(text.trim().to_owned());
        }
        self.photos += 1;
        let name = format!("{what}-{}.png", self.photos);
        match placeholder::write_png(
            &self.files,
            &name,
            &format!("runsheet {what} {}", self.photos),
        ) {
            Ok(p) => {
                let p = p.display().to_string();
                self.log(format!("图片/image {p}"));
                Some(p)
            }
            Err(e) => {
                self.state.message = Some(e.to_string());
                None
            }
        }
    }

    fn log(&mut self, line: String) {
        self.state.effects.push(line);
        let excess = self.state.effects.len().saturating_sub(EFFECTS_KEPT);
        self.state.effects.drain(..excess);
    }

    /// Carries out the effects the core asked for: the ones needing the courier become a
    /// prompt, one at a time.
    fn carry_out_effects(&mut self) {
        while self.state.prompt.is_none() {
            let next = self
                .inbox
                .0
                .lock()
                .unwrap_or_else(|p| p.into_inner())
                .pop_front();
            let Some(effect) = next else { break };
            self.effect(effect);
        }
    }

    fn effect(&mut self, effect: Effect) {
        match effect {
            Effect::Notify { title, body, .. } => {
                self.log(format!("通知/notification: {title} — {body}"))
            }
            Effect::RequestPermission {
                permission,
                rationale,
            } => {
                self.state.prompt = Some(Prompt {
                    question: format!("{rationale} ({YES_NO})"),
                    buffer: String::new(),
                    purpose: Asking::Permission { permission },
                })
            }
            Effect::SetLocationMode {
                accuracy,
                interval_s,
                background,
            } => {
                let bg = if background { " bg" } else { "" };
                self.state.location = Some(format!("GPS {accuracy:?} {interval_s}s{bg}"));
            }
            Effect::ScheduleSync {
                after_s,
                on_network,
            } => {
                let core = self.app.core().clone();
                let delay = after_s.map(u64::from);
                match delay {
                    Some(s) => {
                        self.log(format!("同步/sync in {s} s"));
                        self.runtime.spawn(async move {
                            tokio::time::sleep(std::time::Duration::from_secs(s)).await;
                            if let Err(e) = core.sync().await {
                                tracing::info!(error = %e, "scheduled sync did not complete");
                            }
                        });
                    }
                    // The auto-sync retries on its own when the network is back.
                    None if on_network => self.log("同步/sync when online".into()),
                    None => {}
                }
            }
            Effect::OpenLink { url } => self.log(format!("链接/link: {url}")),
            Effect::Dial { number } => self.log(format!("拨号/dial {number}")),
            Effect::CapturePhoto { purpose, prompt } => {
                self.state.prompt = Some(Prompt {
                    question: format!("{prompt} ({PATH_OR_ENTER})"),
                    buffer: String::new(),
                    purpose: Asking::Photo { purpose },
                })
            }
            Effect::CaptureSignature { task_id, prompt } => {
                self.state.prompt = Some(Prompt {
                    question: format!("{prompt} ({PATH_OR_ENTER})"),
                    buffer: String::new(),
                    purpose: Asking::Signature { task_id },
                })
            }
            Effect::KeepScreenOn { on } => self.log(format!("屏幕常亮/keep screen on: {}", yn(on))),
        }
    }

    /// Rides to the next stop: the open task's, else the route's first.
    fn next_stop(&mut self) {
        let core = self.app.core().clone();
        let open = match self.screen.as_ref().map(|s| &s.body) {
            Some(Body::Task { page }) => Some(page.task_id.clone()),
            Some(Body::Scan { page }) => Some(page.task_id.clone()),
            Some(Body::Problem { page }) => Some(page.task_id.clone()),
            Some(Body::Checklist { page }) => page.task_id.clone(),
            Some(Body::Handover { page }) => Some(page.task_id.clone()),
            _ => None,
        };
        let route = match core.route() {
            Ok(r) => r,
            Err(e) => {
                self.state.message = Some(e.to_string());
                return;
            }
        };
        let stop = route
            .stops
            .iter()
            .find(|s| Some(&s.task_id) == open.as_ref())
            .or(route.stops.first());
        if let Some(s) = stop {
            self.log(format!("位置/location → {:.5}, {:.5}", s.lat, s.lon));
            self.location.ride_to(core, s.lat, s.lon);
        }
    }
}

fn yn(yes: bool) -> &'static str {
    if yes {
        "y"
    } else {
        "n"
    }
}

/// Draws, then handles `keys` one by one, drawing after each, until they run out or the
/// courier quits.
pub fn run_loop<B: Backend>(
    terminal: &mut Terminal<B>,
    shell: &mut Shell,
    keys: impl IntoIterator<Item = KeyEvent>,
) -> Result<Flow, DrawError> {
    shell.draw(terminal)?;
    for key in keys {
        if shell.key(key) == Flow::Quit {
            return Ok(Flow::Quit);
        }
        shell.draw(terminal)?;
    }
    Ok(Flow::Continue)
}
