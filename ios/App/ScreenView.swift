import RunsheetCore
import SwiftUI

/// The root: the core's screen, the dialogs an offer needs (its inputs, a confirmation) and the
/// platform requests of the core's effects (permission rationale, camera, signature).
struct RootView: View {
    @ObservedObject var store: ScreenStore
    @ObservedObject var effects: EffectExecutor
    @State private var pending: PendingOffer?
    @State private var confirming: PendingOffer?

    var body: some View {
        Group {
            if let screen = store.screen {
                ScreenView(
                    screen: screen,
                    onOffer: { tapped in offer(tapped) },
                    scan: { tap in store.tap(tap) }
                )
            } else {
                VStack(spacing: 12) {
                    ProgressView()
                    Text(store.failure ?? ShellWords.text("opening"))
                }
                .padding()
            }
        }
        .sheet(item: $pending) { p in
            InputSheet(
                offer: p.offer,
                send: { values in
                    pending = nil
                    store.tap(p.offer, values: values)
                },
                cancel: { pending = nil }
            )
        }
        .confirmationDialog(
            ShellWords.text("confirm.title"),
            isPresented: Binding(get: { confirming != nil }, set: { if !$0 { confirming = nil } }),
            presenting: confirming
        ) { p in
            Button(p.offer.label, role: .destructive) {
                confirming = nil
                store.tap(p.offer.tap)
            }
            Button(ShellWords.text("confirm.no"), role: .cancel) {
                confirming = nil
            }
        }
        .alert(
            isPresented: Binding(get: { store.message != nil }, set: { if !$0 { store.message = nil } }),
            error: store.message
        ) { _ in
            Button(ShellWords.text("ok")) { store.message = nil }
        } message: { _ in
            EmptyView()
        }
        .overlay {
            if let request = effects.requests.first {
                RequestView(request: request, effects: effects)
            }
        }
    }

    /// Taps an offer, after asking for its inputs or confirming it when it ends something.
    private func offer(_ offer: Offer) {
        if !offer.inputs.isEmpty {
            pending = PendingOffer(offer: offer)
        } else if offer.style == .destructive {
            confirming = PendingOffer(offer: offer)
        } else {
            store.tap(offer.tap)
        }
    }
}

/// Serves the oldest platform request of the core's effects.
struct RequestView: View {
    let request: ShellRequest
    let effects: EffectExecutor

    var body: some View {
        switch request.kind {
        case .askPermission(let permission, let rationale):
            Color.black.opacity(0.3)
                .ignoresSafeArea()
                .alert(rationale, isPresented: .constant(true)) {
                    Button(ShellWords.text("permission.continue")) {
                        effects.proceed(request, permission: permission)
                    }
                    Button(ShellWords.text("permission.notNow"), role: .cancel) {
                        effects.decline(request, permission: permission)
                    }
                }
        case .photo(let purpose, let prompt):
            Color.clear
                .fullScreenCover(isPresented: .constant(true)) {
                    CameraView(
                        prompt: prompt,
                        taken: { file in effects.photoTaken(request, purpose: purpose, file: file) },
                        unavailable: { effects.cameraUnavailable(request, purpose: purpose) }
                    )
                    .ignoresSafeArea()
                }
        case .signature(let taskId, let prompt):
            Color.clear
                .fullScreenCover(isPresented: .constant(true)) {
                    SignatureView(prompt: prompt) { file in
                        effects.signatureTaken(request, taskId: taskId, file: file)
                    }
                }
        }
    }
}

/// The whole screen the core drew: header (title, back, sections and language), sync banner,
/// shift bar, the last tap's notice and the page, chosen by the body's case.
struct ScreenView: View {
    let screen: Screen
    let onOffer: OnOffer
    let scan: (Tap) -> Void

    var body: some View {
        NavigationStack {
            List {
                if screen.syncBanner.visible {
                    Section {
                        ToneLabel(text: screen.syncBanner.text, tone: screen.syncBanner.tone)
                        OfferList(offers: screen.syncBanner.offers, onOffer: onOffer)
                    }
                }
                Section {
                    ShiftBarView(bar: screen.shiftBar, onOffer: onOffer)
                }
                if let notice = screen.notice {
                    Section {
                        ToneLabel(text: notice.text, tone: notice.tone)
                    }
                }
                BodyView(content: screen.body, onOffer: onOffer, scan: scan)
            }
            .navigationTitle(screen.header.title)
            .navigationBarTitleDisplayMode(.inline)
            .toolbar {
                if let back = screen.header.back {
                    ToolbarItem(placement: .navigationBarLeading) {
                        Button {
                            onOffer(back)
                        } label: {
                            Label(back.label, systemImage: "chevron.backward")
                        }
                        .disabled(!back.enabled)
                    }
                }
                if !screen.header.tabs.isEmpty {
                    ToolbarItem(placement: .navigationBarTrailing) {
                        Menu {
                            ForEach(Array(screen.header.tabs.enumerated()), id: \.offset) { _, tab in
                                Button(tab.label) { onOffer(tab) }
                                    .disabled(!tab.enabled)
                            }
                        } label: {
                            Image(systemName: "ellipsis.circle")
                                .accessibilityLabel(Text(ShellWords.text("more")))
                        }
                    }
                }
            }
        }
    }
}

/// The shift bar: state (symbol and words), figures and its actions.
struct ShiftBarView: View {
    let bar: ShiftBar
    let onOffer: OnOffer

    var body: some View {
        ToneLabel(text: bar.state, tone: bar.tone)
            .font(.headline)
        if !bar.figures.isEmpty {
            Text(bar.figures)
                .font(.footnote)
        }
        if let boxLoad = bar.boxLoad {
            Text(boxLoad)
                .font(.footnote)
        }
        if let primary = bar.primary {
            OfferButton(offer: primary, onOffer: onOffer)
        }
        OfferList(offers: bar.secondary, onOffer: onOffer)
    }
}

/// The page, by the body's case.
struct BodyView: View {
    let content: RunsheetCore.Body
    let onOffer: OnOffer
    let scan: (Tap) -> Void

    var body: some View {
        switch content {
        case .signIn(let page):
            SignInPageView(page: page, onOffer: onOffer)
        case .tasks(let page):
            TaskListPageView(page: page, onOffer: onOffer)
        case .task(let page):
            TaskPageView(page: page, onOffer: onOffer)
        case .scan(let page):
            ScanPageView(page: page, onOffer: onOffer, scan: scan)
        case .checklist(let page):
            ChecklistPageView(page: page, onOffer: onOffer)
        case .problem(let page):
            ProblemPageView(page: page, onOffer: onOffer)
        case .ratings(let page):
            RatingsPageView(page: page, onOffer: onOffer)
        case .kpis(let page):
            KpiPageView(page: page)
        case .cases(let page):
            CasesPageView(page: page, onOffer: onOffer)
        case .caseDetail(let page):
            CasePageView(page: page, onOffer: onOffer)
        case .training(let page):
            TrainingListPageView(page: page, onOffer: onOffer)
        case .module(let page):
            ModulePageView(page: page, onOffer: onOffer)
        case .quiz(let page):
            QuizPageView(page: page, onOffer: onOffer)
        case .review(let page):
            ReviewPageView(page: page)
        case .offers(let page):
            OffersPageView(page: page, onOffer: onOffer)
        case .handover(let page):
            HandoverPageView(page: page, onOffer: onOffer)
        case .earnings(let page):
            EarningsPageView(page: page, onOffer: onOffer)
        case .nearbyHandovers(let page):
            NearbyHandoversPageView(page: page, onOffer: onOffer)
        }
    }
}
