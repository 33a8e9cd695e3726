//! Draws a [`Screen`] in the terminal: header, shift bar, sync banner, notice, the page, the
//! effects pane and the status line. Every word comes from the screen, except the terminal's
//! few own (key help, prompts) in [`super::shell`]. Each offer carries its number, its place in
//! [`Screen::offers`]: the courier types it and Enter.

use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::style::{Color, Modifier, Style};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Paragraph, Wrap};
use ratatui::Frame;
use runsheet_screens::{
    Body, CameraState, ItemState, ItemView, Lateness, Offer, OfferStyle, Screen, Tone,
};

use super::shell::{TerminalState, EFFECTS_TITLE, KEY_HELP};

/// Lines of the effects pane, with its border.
const EFFECTS_HEIGHT: u16 = 6;

/// Draws `screen` with the terminal's own state (prompt, effects, location mode).
pub fn render(frame: &mut Frame<'_>, screen: &Screen, state: &TerminalState) {
    let offers = screen.offers();
    let numbered = Numbers(&offers);
    let mut top: Vec<Line<'static>> = Vec::new();
    // Header: title and back, then the tabs on a line of their own (eight of them, with the
    // language switch last, do not fit beside a title in 100 columns).
    let mut head = vec![Span::styled(
        screen.header.title.clone(),
        Style::new().add_modifier(Modifier::BOLD),
    )];
    if let Some(o) = &screen.header.back {
        head.push(Span::raw("  "));
        head.extend(numbered.spans(o));
    }
    top.push(Line::from(head));
    let mut tabs: Vec<Span<'static>> = Vec::new();
    for o in &screen.header.tabs {
        if !tabs.is_empty() {
            tabs.push(Span::raw("  "));
        }
        tabs.extend(numbered.spans(o));
    }
    top.push(Line::from(tabs));
    // Shift bar.
    let bar = &screen.shift_bar;
    let mut shift = vec![
        Span::styled(
            bar.state.clone(),
            tone(bar.tone).add_modifier(Modifier::BOLD),
        ),
        Span::raw(" · "),
        Span::raw(bar.figures.clone()),
    ];
    if let Some(b) = &bar.box_load {
        shift.push(Span::raw(" · "));
        shift.push(Span::raw(b.clone()));
    }
    for o in bar.primary.iter().chain(bar.secondary.iter()) {
        shift.push(Span::raw("  "));
        shift.extend(numbered.spans(o));
    }
    top.push(Line::from(shift));
    for o in bar.primary.iter().chain(bar.secondary.iter()) {
        top.extend(numbered.why(o, 2));
    }
    // Sync banner.
    let banner = &screen.sync_banner;
    if banner.visible {
        let mut line = vec![Span::styled(banner.text.clone(), tone(banner.tone))];
        for o in &banner.offers {
            line.push(Span::raw("  "));
            line.extend(numbered.spans(o));
        }
        top.push(Line::from(line));
    }
    // The notice, and a refusal the terminal was given.
    if let Some(n) = &screen.notice {
        top.push(Line::styled(format!("» {}", n.text), tone(n.tone)));
    }
    if let Some(m) = &state.message {
        top.push(Line::styled(format!("» {m}"), tone(Tone::Bad)));
    }
    let prompt_height = if state.prompt.is_some() { 3 } else { 0 };
    let [top_area, body_area, effects_area, prompt_area, status_area] = Layout::vertical([
        Constraint::Length(top.len() as u16),
        Constraint::Min(3),
        Constraint::Length(EFFECTS_HEIGHT),
        Constraint::Length(prompt_height),
        Constraint::Length(1),
    ])
    .areas(frame.area());
    frame.render_widget(Paragraph::new(top), top_area);
    let body = Paragraph::new(body_lines(&screen.body, &numbered))
        .wrap(Wrap { trim: false })
        .block(Block::new().borders(Borders::TOP));
    frame.render_widget(body, body_area);
    render_effects(frame, effects_area, state);
    if let Some(p) = &state.prompt {
        let block = Block::bordered().title(p.question.clone());
        let text = Paragraph::new(format!("{}▏", p.buffer)).block(block);
        frame.render_widget(text, prompt_area);
    }
    render_status(frame, status_area, state);
}

fn render_effects(frame: &mut Frame<'_>, area: Rect, state: &TerminalState) {
    let shown = usize::from(EFFECTS_HEIGHT.saturating_sub(1));
    let skip = state.effects.len().saturating_sub(shown);
    let lines: Vec<Line<'_>> = state.effects[skip..]
        .iter()
        .map(|l| Line::raw(l.as_str()))
        .collect();
    let block = Block::new().borders(Borders::TOP).title(EFFECTS_TITLE);
    frame.render_widget(Paragraph::new(lines).block(block), area);
}

fn render_status(frame: &mut Frame<'_>, area: Rect, state: &TerminalState) {
    let mut spans = Vec::new();
    if let Some(l) = &state.location {
        spans.push(Span::styled(l.clone(), Style::new().fg(Color::Cyan)));
        spans.push(Span::raw(" │ "));
    }
    if !state.pick.is_empty() {
        spans.push(Span::styled(
            format!("#{}", state.pick),
            Style::new().add_modifier(Modifier::BOLD),
        ));
        spans.push(Span::raw(" │ "));
    }
    spans.push(Span::styled(KEY_HELP, Style::new().fg(Color::DarkGray)));
    frame.render_widget(Paragraph::new(Line::from(spans)), area);
}

/// The number of each offer on the screen.
struct Numbers<'a>(&'a [&'a Offer]);

impl Numbers<'_> {
    fn number(&self, offer: &Offer) -> Option<usize> {
        self.0
            .iter()
            .position(|o| std::ptr::eq(*o, offer))
            .map(|i| i + 1)
    }

    /// "[3] Deliver", dimmed when blocked.
    fn spans(&self, offer: &Offer) -> Vec<Span<'static>> {
        let number = self
            .number(offer)
            .map(|n| format!("[{n}]\u{a0}"))
            .unwrap_or_default();
        let style = match (offer.enabled, offer.style) {
            (false, _) => Style::new().fg(Color::DarkGray),
            (true, OfferStyle::Primary) => {
                Style::new().fg(Color::Green).add_modifier(Modifier::BOLD)
            }
            (true, OfferStyle::Destructive) => Style::new().fg(Color::Red),
            (true, OfferStyle::Navigation) => Style::new().fg(Color::Blue),
            (true, OfferStyle::Secondary) => Style::new(),
        };
        vec![
            Span::styled(number, Style::new().fg(Color::Yellow)),
            Span::styled(offer.label.clone(), style),
        ]
    }

    /// The offer's blockers, one a line, indented.
    fn why(&self, offer: &Offer, indent: usize) -> Vec<Line<'static>> {
        offer
            .why
            .iter()
            .map(|w| {
                Line::styled(
                    format!("{}✗ {w}", " ".repeat(indent)),
                    Style::new().fg(Color::Red),
                )
            })
            .collect()
    }

    /// A line of offers, indented, with the blockers of each below.
    fn row(&self, offers: &[&Offer], indent: usize) -> Vec<Line<'static>> {
        if offers.is_empty() {
            return Vec::new();
        }
        let mut spans = vec![Span::raw(" ".repeat(indent))];
        for (i, o) in offers.iter().enumerate() {
            if i > 0 {
                spans.push(Span::raw("  "));
            }
            spans.extend(self.spans(o));
        }
        let mut out = vec![Line::from(spans)];
        for o in offers {
            out.extend(self.why(o, indent + 2));
        }
        out
    }
}

fn tone(t: Tone) -> Style {
    match t {
        Tone::Neutral => Style::new(),
        Tone::Good => Style::new().fg(Color::Green),
        Tone::Warning => Style::new().fg(Color::Yellow),
        Tone::Bad => Style::new().fg(Color::Red),
    }
}

fn lateness(l: Lateness) -> Style {
    match l {
        Lateness::Unknown | Lateness::OnTime => Style::new(),
        Lateness::AtRisk => Style::new().fg(Color::Yellow),
        Lateness::Late => Style::new().fg(Color::Red),
    }
}

/// "a · b · c" of the parts present.
fn joined<'a>(parts: impl IntoIterator<Item = Option<&'a str>>) -> String {
    parts
        .into_iter()
        .flatten()
        .filter(|p| !p.is_empty())
        .collect::<Vec<_>>()
        .join(" · ")
}

fn heading(text: &str) -> Line<'static> {
    Line::styled(text.to_owned(), Style::new().add_modifier(Modifier::BOLD))
}

fn items(lines: &mut Vec<Line<'static>>, items: &[ItemView], n: &Numbers<'_>) {
    for i in items {
        let mark = match i.state {
            ItemState::Confirmed => "[x]",
            ItemState::Pending => "[ ]",
        };
        let style = match i.state {
            ItemState::Confirmed => Style::new().fg(Color::Green),
            ItemState::Pending => Style::new(),
        };
        lines.push(Line::styled(
            format!(
                "{mark} {}",
                joined([
                    Some(i.name.as_str()),
                    Some(i.code.as_str()),
                    Some(i.temperature.as_str()),
                    Some(i.state_text.as_str()),
                ])
            ),
            style,
        ));
        lines.extend(n.row(&i.offers.iter().collect::<Vec<_>>(), 4));
    }
}

/// An after-sales case as the core words it.
fn case_lines(lines: &mut Vec<Line<'static>>, c: &runsheet_screens::CaseView, n: &Numbers<'_>) {
    lines.push(heading(&joined([
        Some(c.title.as_str()),
        Some(c.about.as_str()),
    ])));
    lines.push(Line::styled(
        joined([Some(c.status.as_str()), Some(c.opened.as_str())]),
        tone(c.tone),
    ));
    lines.push(Line::raw(format!("  {}", c.summary)));
    for d in &c.deadlines {
        lines.push(Line::styled(format!("  {d}"), tone(c.tone)));
    }
    for text in [&c.statement, &c.resolution, &c.fault]
        .into_iter()
        .flatten()
    {
        lines.push(Line::raw(format!("  {text}")));
    }
    let offers: Vec<&Offer> = c.follow_up.iter().chain(c.offers.iter()).collect();
    lines.extend(n.row(&offers, 2));
}

fn body_lines(body: &Body, n: &Numbers<'_>) -> Vec<Line<'static>> {
    let mut lines = Vec::new();
    match body {
        Body::SignIn { page } => {
            lines.push(Line::raw(page.text.clone()));
            lines.extend(n.row(&[&page.sign_in], 0));
        }
        Body::Tasks { page } => {
            lines.push(heading(&page.summary));
            if let Some(e) = &page.empty_text {
                lines.push(Line::raw(e.clone()));
            }
            for r in &page.rows {
                lines.push(Line::from(vec![
                    Span::styled(format!("{} ", r.group_label), tone(r.tone)),
                    Span::styled(r.title.clone(), Style::new().add_modifier(Modifier::BOLD)),
                    Span::raw(format!(" · {}", r.kind)),
                ]));
                lines.push(Line::from(vec![
                    Span::raw("  "),
                    Span::styled(r.status.clone(), tone(r.tone)),
                    Span::styled(
                        [
                            r.promised.as_deref(),
                            r.lateness_text.as_deref(),
                            r.unsent.as_deref(),
                        ]
                        .into_iter()
                        .flatten()
                        .map(|s| format!(" · {s}"))
                        .collect::<String>(),
                        lateness(r.lateness),
                    ),
                ]));
                let offers: Vec<&Offer> = r.primary.iter().chain(r.secondary.iter()).collect();
                lines.extend(n.row(&offers, 2));
            }
        }
        Body::Task { page } => {
            lines.push(heading(&joined([
                Some(page.kind.as_str()),
                Some(page.status.as_str()),
            ])));
            for note in &page.notes {
                lines.push(Line::raw(format!("• {note}")));
            }
            for s in &page.stops {
                lines.push(Line::from(vec![
                    Span::styled(
                        format!("{}: ", s.role),
                        Style::new().add_modifier(Modifier::BOLD),
                    ),
                    Span::raw(format!("{} — {}", s.name, s.address)),
                ]));
                if !s.times.is_empty() {
                    lines.push(Line::styled(
                        format!("  {}", s.times.join(" · ")),
                        lateness(s.lateness),
                    ));
                }
            }
            items(&mut lines, &page.items, n);
            items(&mut lines, &page.take_back, n);
            lines.extend(n.row(&page.cases.iter().collect::<Vec<_>>(), 0));
            lines.extend(n.row(&page.contact.iter().collect::<Vec<_>>(), 0));
            lines.extend(n.row(&page.maps.iter().collect::<Vec<_>>(), 0));
            for t in &page.timeline {
                lines.push(Line::styled(
                    format!("  {}  {}", t.time, t.text),
                    Style::new().fg(Color::DarkGray),
                ));
            }
            let actions: Vec<&Offer> = page.primary.iter().chain(page.secondary.iter()).collect();
            lines.extend(n.row(&actions, 0));
        }
        Body::Scan { page } => {
            lines.push(heading(&page.progress));
            if let Some(t) = &page.camera_text {
                let style = match page.camera {
                    CameraState::Denied => tone(Tone::Warning),
                    _ => Style::new(),
                };
                lines.push(Line::styled(t.clone(), style));
            }
            if let Some(v) = &page.last_verdict {
                lines.push(Line::styled(format!("» {}", v.text), tone(v.tone)));
            }
            // The items first, then the page's offers: the order of `Screen::offers`.
            items(&mut lines, &page.items, n);
            lines.extend(n.row(&page.offers.iter().collect::<Vec<_>>(), 0));
        }
        Body::Checklist { page } => {
            lines.push(heading(&page.summary));
            for i in &page.items {
                let mark = if i.done { "[x]" } else { "[ ]" };
                let required = if i.required { " *" } else { "" };
                lines.push(Line::raw(format!(
                    "{mark} {}{required}{}",
                    i.label,
                    i.answer
                        .as_ref()
                        .map(|a| format!(" — {a}"))
                        .unwrap_or_default()
                )));
                if let Some(p) = &i.problem {
                    lines.push(Line::styled(format!("    ✗ {p}"), tone(Tone::Bad)));
                }
                lines.extend(n.row(&i.offers.iter().collect::<Vec<_>>(), 4));
            }
        }
        Body::Problem { page } => {
            lines.push(Line::raw(page.photos.clone()));
            lines.extend(n.row(&[&page.take_photo], 0));
            for r in &page.reasons {
                let style = if r.ends_delivery {
                    tone(Tone::Warning)
                } else {
                    Style::new()
                };
                let mut spans = n.spans(&r.report);
                spans.push(Span::styled(format!(" — {}", r.effect), style));
                lines.push(Line::from(spans));
                lines.extend(n.why(&r.report, 4));
            }
        }
        Body::Ratings { page } => {
            if let Some(e) = &page.empty_text {
                lines.push(Line::raw(e.clone()));
            }
            for r in &page.ratings {
                lines.push(Line::styled(
                    joined([Some(r.title.as_str()), Some(r.when.as_str())]),
                    tone(r.tone),
                ));
                if let Some(d) = &r.detail {
                    lines.push(Line::raw(format!("  {d}")));
                }
                if let Some(a) = &r.appeal {
                    lines.push(Line::raw(format!("  {a}")));
                }
                lines.extend(n.row(&r.offers.iter().collect::<Vec<_>>(), 2));
            }
            for r in &page.to_rate {
                lines.push(Line::raw(joined([
                    Some(r.title.as_str()),
                    Some(r.until.as_str()),
                ])));
                lines.extend(n.row(&r.offers.iter().collect::<Vec<_>>(), 2));
            }
        }
        Body::Cases { page } => {
            if let Some(e) = &page.empty_text {
                lines.push(Line::raw(e.clone()));
            }
            for c in &page.cases {
                case_lines(&mut lines, c, n);
            }
        }
        Body::CaseDetail { page } => {
            lines.extend(n.row(&page.task.iter().collect::<Vec<_>>(), 0));
            case_lines(&mut lines, &page.detail, n);
        }
        Body::Offers { page } => {
            lines.extend(n.row(&[&page.nearby_handovers], 0));
            if let Some(e) = &page.empty_text {
                lines.push(Line::raw(e.clone()));
            }
            for o in &page.offers {
                lines.push(heading(&joined([
                    Some(o.title.as_str()),
                    o.time_left.as_deref(),
                    o.answer_by.as_deref(),
                ])));
                lines.push(Line::styled(o.state.clone(), tone(o.tone)));
                for task in &o.tasks {
                    lines.push(Line::raw(format!("  {task}")));
                }
                for i in &o.impact {
                    lines.push(Line::styled(format!("  {i}"), tone(o.impact_tone)));
                }
                let offers: Vec<&Offer> = o.accept.iter().chain(o.decline.iter()).collect();
                lines.extend(n.row(&offers, 2));
            }
        }
        Body::Handover { page } => {
            lines.push(heading(&page.custody_text));
            for l in page.status.iter().chain(page.reason.iter()) {
                lines.push(Line::raw(l.clone()));
            }
            for h in &page.history {
                lines.push(Line::styled(
                    format!("  {h}"),
                    Style::new().fg(Color::DarkGray),
                ));
            }
            if let Some(p) = &page.progress {
                lines.push(heading(p));
            }
            if let Some(v) = &page.last_verdict {
                lines.push(Line::styled(format!("» {}", v.text), tone(v.tone)));
            }
            // The bags first, then the page's offers: the order of `Screen::offers`.
            items(&mut lines, &page.bags, n);
            lines.extend(n.row(&page.offers.iter().collect::<Vec<_>>(), 0));
        }
        Body::NearbyHandovers { page } => {
            lines.push(Line::raw(page.summary.clone()));
            if let Some(a) = &page.as_of {
                lines.push(Line::styled(a.clone(), Style::new().fg(Color::DarkGray)));
            }
            if let Some(s) = &page.status {
                lines.push(Line::styled(format!("» {}", s.text), tone(s.tone)));
            }
            if let Some(e) = &page.empty_text {
                lines.push(Line::raw(e.clone()));
            }
            // The requests first, then the page's offers: the order of `Screen::offers`.
            for e in &page.entries {
                lines.push(heading(&e.title));
                lines.push(Line::raw(format!(
                    "  {}",
                    joined([
                        Some(e.bags.as_str()),
                        Some(e.reason.as_str()),
                        Some(e.asked.as_str()),
                    ])
                )));
                if let Some(note) = &e.note {
                    lines.push(Line::raw(format!("  {note}")));
                }
                lines.extend(n.row(&[&e.take], 2));
            }
            lines.extend(n.row(&page.offers.iter().collect::<Vec<_>>(), 0));
        }
        Body::Kpis { page } => {
            lines.push(heading(&page.period));
            figure_lines(&mut lines, &page.figures);
        }
        Body::Training { page } => {
            for w in &page.warnings {
                lines.push(Line::styled(format!("! {w}"), tone(Tone::Warning)));
            }
            if let Some(e) = &page.empty_text {
                lines.push(Line::raw(e.clone()));
            }
            for r in &page.rows {
                training_row(&mut lines, r);
                lines.extend(n.row(&r.offers.iter().collect::<Vec<_>>(), 2));
            }
            lines.extend(n.row(&[&page.review], 0));
        }
        Body::Module { page } => {
            training_row(&mut lines, &page.row);
            for l in &page.lessons {
                lines.push(Line::raw(l.text.clone()));
                for i in &l.images {
                    lines.push(Line::styled(
                        format!("  [{i}]"),
                        Style::new().fg(Color::DarkGray),
                    ));
                }
            }
            lines.push(heading(&page.quiz_summary));
            if let Some(a) = &page.last_attempt {
                lines.push(Line::raw(a.clone()));
            }
            lines.extend(n.row(&[&page.start_quiz], 0));
        }
        Body::Quiz { page } => {
            lines.push(heading(&page.summary));
            for q in &page.questions {
                lines.push(Line::raw(format!("{} {}", q.number, q.text)));
                lines.push(Line::styled(
                    format!("  {}", q.chosen),
                    tone(if q.answered {
                        Tone::Good
                    } else {
                        Tone::Neutral
                    }),
                ));
                lines.extend(n.row(&q.choices.iter().collect::<Vec<_>>(), 2));
            }
            lines.extend(n.row(&[&page.submit], 0));
        }
        Body::Review { page } => {
            lines.push(heading(&page.period));
            figure_lines(&mut lines, &page.figures);
            for q in &page.qualifications {
                lines.push(Line::raw(format!("• {q}")));
            }
        }
        Body::Earnings { page } => {
            lines.push(heading(&page.period));
            lines.extend(n.row(&[&page.switch_period], 0));
            lines.push(Line::raw(joined([
                Some(page.total.as_str()),
                Some(page.confirmed.as_str()),
                page.expected.as_deref(),
            ])));
            for i in &page.incentives {
                lines.push(Line::raw(i.title.clone()));
                // The bar: ten cells filled by the progress the core computed.
                let filled = (i.progress_bp / 1000).min(10) as usize;
                lines.push(Line::styled(
                    format!(
                        "  [{}{}] {} — {}",
                        "#".repeat(filled),
                        "-".repeat(10 - filled),
                        i.progress,
                        i.verdict
                    ),
                    tone(i.tone),
                ));
            }
            if let Some(e) = &page.empty_text {
                lines.push(Line::raw(e.clone()));
            }
            for l in &page.lines {
                lines.push(Line::styled(
                    joined([
                        Some(l.title.as_str()),
                        Some(l.amount.as_str()),
                        Some(l.state_text.as_str()),
                        Some(l.when.as_str()),
                    ]),
                    tone(l.tone),
                ));
                if let Some(d) = &l.detail {
                    lines.push(Line::raw(format!("  {d}")));
                }
                if let Some(a) = &l.appeal {
                    lines.push(Line::raw(format!("  {a}")));
                }
                lines.extend(n.row(&l.offers.iter().collect::<Vec<_>>(), 2));
            }
        }
    }
    lines
}

fn figure_lines(lines: &mut Vec<Line<'static>>, figures: &[runsheet_screens::screen::Figure]) {
    for f in figures {
        lines.push(Line::styled(
            joined([
                Some(f.name.as_str()),
                Some(f.value.as_str()),
                Some(f.target.as_str()),
                Some(f.verdict.as_str()),
            ]),
            tone(f.tone),
        ));
    }
}

fn training_row(lines: &mut Vec<Line<'static>>, r: &runsheet_screens::training_page::TrainingRow) {
    lines.push(Line::styled(
        joined([
            Some(r.title.as_str()),
            Some(r.status.as_str()),
            r.validity.as_deref(),
        ]),
        tone(r.tone),
    ));
    if let Some(nf) = &r.needed_for {
        lines.push(Line::raw(format!("  {nf}")));
    }
}
