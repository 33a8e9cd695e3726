import RunsheetCore
import SwiftUI

// The pages of the core's screen, one view per body case, drawn as sections of the screen's
// list. They show what the page holds, in its order, and offer exactly its offers; none of
// them decides anything.

/// How a lateness reads (its words are beside it, from the core).
func latenessTone(_ lateness: Lateness) -> Tone {
    switch lateness {
    case .unknown: return .neutral
    case .onTime: return .good
    case .atRisk: return .warning
    case .late: return .bad
    }
}

/// Sign in: why, and the sign-in offer (its input is the token).
struct SignInPageView: View {
    let page: SignInPage
    let onOffer: OnOffer

    var body: some View {
        Section {
            Text(page.text)
            OfferButton(offer: page.signIn, onOffer: onOffer)
        }
    }
}

/// The task list: its summary, then one section per row in the core's order.
struct TaskListPageView: View {
    let page: TaskListPage
    let onOffer: OnOffer

    var body: some View {
        Section {
            if let empty = page.emptyText {
                Text(empty)
            }
        } header: {
            Text(page.summary)
                .accessibilityAddTraits(.isHeader)
        }
        ForEach(page.rows, id: \.taskId) { row in
            Section {
                TaskRowView(row: row, onOffer: onOffer)
            } header: {
                Text(row.groupLabel)
            }
        }
    }
}

/// One row of the task list.
struct TaskRowView: View {
    let row: TaskRow
    let onOffer: OnOffer

    var body: some View {
        Text(row.title)
            .font(.headline)
        ToneLabel(text: "\(row.kind) · \(row.status)", tone: row.tone)
        if let promised = row.promised {
            Text(promised)
        }
        if let late = row.latenessText {
            ToneLabel(text: late, tone: latenessTone(row.lateness))
        }
        if let unsent = row.unsent {
            ToneLabel(text: unsent, tone: .warning)
        }
        if let primary = row.primary {
            OfferButton(offer: primary, onOffer: onOffer)
        }
        OfferList(offers: row.secondary, onOffer: onOffer)
    }
}

/// One task: status, notes, its actions, stops, items, contact, maps and timeline.
struct TaskPageView: View {
    let page: TaskPage
    let onOffer: OnOffer

    var body: some View {
        Section {
            Text("\(page.kind) · \(page.status)")
                .font(.headline)
            ForEach(page.notes, id: \.self) { note in
                ToneLabel(text: note, tone: .neutral)
            }
            if let primary = page.primary {
                OfferButton(offer: primary, onOffer: onOffer)
            }
            OfferList(offers: page.secondary, onOffer: onOffer)
        }
        ForEach(Array(page.stops.enumerated()), id: \.offset) { _, stop in
            Section {
                StopRow(stop: stop)
            }
        }
        if !page.items.isEmpty {
            Section {
                ForEach(page.items, id: \.code) { item in
                    ItemRow(item: item, onOffer: onOffer)
                }
            }
        }
        if !page.takeBack.isEmpty {
            Section {
                ForEach(page.takeBack, id: \.code) { item in
                    ItemRow(item: item, onOffer: onOffer)
                }
            }
        }
        if !page.cases.isEmpty {
            Section {
                OfferList(offers: page.cases, onOffer: onOffer)
            }
        }
        if !page.contact.isEmpty || !page.maps.isEmpty {
            Section {
                OfferList(offers: page.contact, onOffer: onOffer)
                OfferList(offers: page.maps, onOffer: onOffer)
            }
        }
        if !page.timeline.isEmpty {
            Section {
                ForEach(Array(page.timeline.enumerated()), id: \.offset) { _, line in
                    HStack(alignment: .firstTextBaseline) {
                        Text(line.time)
                            .font(.caption)
                            .monospacedDigit()
                        Text(line.text)
                            .font(.caption)
                    }
                    .accessibilityElement(children: .combine)
                }
            }
        }
    }
}

/// A stop: role, place, address and its times (with the lateness symbol).
struct StopRow: View {
    let stop: StopView

    var body: some View {
        Text(stop.role)
            .font(.subheadline)
        Text(stop.name)
            .font(.headline)
        Text(stop.address)
        ForEach(stop.times, id: \.self) { time in
            ToneLabel(text: time, tone: latenessTone(stop.lateness))
        }
    }
}

/// An item with its state (symbol and the core's words) and its offers.
struct ItemRow: View {
    let item: ItemView
    let onOffer: OnOffer

    private var tone: Tone {
        switch item.state {
        case .pending: return .neutral
        case .confirmed: return .good
        }
    }

    var body: some View {
        VStack(alignment: .leading, spacing: 4) {
            Text(item.name)
            Text("\(item.code) · \(item.temperature)")
                .font(.caption)
            ToneLabel(text: item.stateText, tone: tone)
            OfferList(offers: item.offers, onOffer: onOffer)
        }
    }
}

/// A checklist of the stage the core chose: per item its answer, problem and offers.
struct ChecklistPageView: View {
    let page: ChecklistPage
    let onOffer: OnOffer

    var body: some View {
        Section {
            ToneLabel(text: page.summary, tone: page.complete ? .good : .neutral)
        }
        ForEach(page.items, id: \.itemId) { item in
            Section {
                ChecklistItemRow(item: item, onOffer: onOffer)
            }
        }
    }
}

/// One checklist item.
struct ChecklistItemRow: View {
    let item: ChecklistItemView
    let onOffer: OnOffer


    var body: some View {
        HStack {
            Image(systemName: item.done ? "checkmark.circle.fill" : "circle")
                .accessibilityLabel(Text(ShellWords.text(item.done ? "item.done" : "item.open")))
            Text(item.label)
                .font(.headline)
            if item.required {
                Text("*")
                    .accessibilityLabel(Text(ShellWords.text("item.required")))
            }
        }
        if let answer = item.answer {
            Text(answer)
        }
        if let problem = item.problem {
            ToneLabel(text: problem, tone: .bad)
        }
        ForEach(Array(item.offers.enumerated()), id: \.offset) { _, offer in
            OfferButton(offer: offer, onOffer: onOffer)
        }
    }
}

/// The problem sheet: photos, and the reasons that apply with their inputs.
struct ProblemPageView: View {
    let page: ProblemPage
    let onOffer: OnOffer

    var body: some View {
        Section {
            Text(page.photos)
            OfferButton(offer: page.takePhoto, onOffer: onOffer)
        }
        ForEach(Array(page.reasons.enumerated()), id: \.offset) { _, reason in
            Section {
                Text(reason.label)
                    .font(.headline)
                ToneLabel(text: reason.effect, tone: reason.endsDelivery ? .warning : .neutral)
                OfferButton(offer: reason.report, onOffer: onOffer)
            }
        }
    }
}

/// Ratings received (with appeals) and the stops the courier may still rate.
struct RatingsPageView: View {
    let page: RatingsPage
    let onOffer: OnOffer

    var body: some View {
        if let empty = page.emptyText {
            Section {
                Text(empty)
            }
        }
        ForEach(page.toRate, id: \.taskId) { rate in
            Section {
                Text(rate.title)
                    .font(.headline)
                Text(rate.until)
                    .font(.caption)
                OfferList(offers: rate.offers, onOffer: onOffer)
            }
        }
        ForEach(page.ratings, id: \.ratingId) { rating in
            Section {
                // The title spells the stars; VoiceOver reads the same title.
                ToneLabel(text: rating.title, tone: rating.tone)
                if let detail = rating.detail {
                    Text(detail)
                }
                Text(rating.when)
                    .font(.caption)
                if let appeal = rating.appeal {
                    Text(appeal)
                }
                OfferList(offers: rating.offers, onOffer: onOffer)
            }
        }
    }
}

/// The courier's figures against the platform's targets, as the core judged them.
struct KpiPageView: View {
    let page: KpiPage

    var body: some View {
        Section {
            ForEach(Array(page.figures.enumerated()), id: \.offset) { _, figure in
                VStack(alignment: .leading, spacing: 4) {
                    HStack {
                        Text(figure.name)
                            .font(.headline)
                        Spacer()
                        Text(figure.value)
                            .monospacedDigit()
                    }
                    Text(figure.target)
                        .font(.caption)
                    ToneLabel(text: figure.verdict, tone: figure.tone)
                }
                .accessibilityElement(children: .combine)
            }
        } header: {
            Text(page.period)
                .accessibilityAddTraits(.isHeader)
        }
    }
}

/// The after-sales cases about the courier's deliveries, in the core's order.
struct CasesPageView: View {
    let page: CasesPage
    let onOffer: OnOffer

    var body: some View {
        if let empty = page.emptyText {
            Section {
                Text(empty)
            }
        }
        ForEach(page.cases, id: \.caseId) { item in
            Section {
                CaseRows(view: item, onOffer: onOffer)
            }
        }
    }
}

/// One case: the link to its task, then the case with its answer offer.
struct CasePageView: View {
    let page: CasePage
    let onOffer: OnOffer

    var body: some View {
        if let task = page.task {
            Section {
                OfferButton(offer: task, onOffer: onOffer)
            }
        }
        Section {
            CaseRows(view: page.detail, onOffer: onOffer)
        }
    }
}

/// A case as the core words it: kind, status, deadlines, statement, resolution and offers.
struct CaseRows: View {
    let view: CaseView
    let onOffer: OnOffer

    var body: some View {
        Text(view.title)
            .font(.headline)
            .accessibilityAddTraits(.isHeader)
        Text(view.about)
            .font(.caption)
        ToneLabel(text: view.status, tone: view.tone)
        Text(view.summary)
        Text(view.opened)
            .font(.caption)
        ForEach(view.deadlines, id: \.self) { deadline in
            ToneLabel(text: deadline, tone: view.tone)
        }
        if let statement = view.statement {
            Text(statement)
        }
        if let resolution = view.resolution {
            Text(resolution)
        }
        if let fault = view.fault {
            ToneLabel(text: fault, tone: .neutral)
        }
        if let followUp = view.followUp {
            OfferButton(offer: followUp, onOffer: onOffer)
        }
        OfferList(offers: view.offers, onOffer: onOffer)
    }
}

/// The offers of work waiting for the courier, in the core's order.
struct OffersPageView: View {
    let page: TaskOffersPage
    let onOffer: OnOffer

    var body: some View {
        Section {
            OfferButton(offer: page.nearbyHandovers, onOffer: onOffer)
        }
        if let empty = page.emptyText {
            Section {
                Text(empty)
            }
        }
        ForEach(page.offers, id: \.offerId) { item in
            Section {
                OfferRows(view: item, onOffer: onOffer)
            }
        }
    }
}

/// One offer: its title, the seconds left (the core's count; the screen is recomputed every
/// second while it runs), its state, the tasks, what accepting would do to the plan, and its
/// answers.
struct OfferRows: View {
    let view: TaskOfferView
    let onOffer: OnOffer

    var body: some View {
        Text(view.title)
            .font(.headline)
            .accessibilityAddTraits(.isHeader)
        if let left = view.timeLeft {
            HStack {
                Text(String(view.remainingS))
                    .font(.title)
                    .monospacedDigit()
                Text(left)
            }
            .accessibilityElement(children: .combine)
        }
        if let answerBy = view.answerBy {
            Text(answerBy)
                .font(.caption)
        }
        ToneLabel(text: view.state, tone: view.tone)
        ForEach(view.tasks, id: \.self) { task in
            Text(task)
        }
        ForEach(view.impact, id: \.self) { line in
            ToneLabel(text: line, tone: view.impactTone)
        }
        if let accept = view.accept {
            OfferButton(offer: accept, onOffer: onOffer)
        }
        OfferList(offers: view.decline, onOffer: onOffer)
    }
}

/// A task's handover between couriers, as the core words it: who holds the goods, the latest
/// handover's status, reason and times, the receiving courier's bags with the last verdict, and
/// the offers (one per reason for the giver; a bag code for the receiver).
struct HandoverPageView: View {
    let page: HandoverPage
    let onOffer: OnOffer

    var body: some View {
        Section {
            Text(page.custodyText)
                .font(.headline)
                .accessibilityAddTraits(.isHeader)
            if let status = page.status {
                Text(status)
            }
            if let reason = page.reason {
                Text(reason)
            }
            ForEach(page.history, id: \.self) { line in
                Text(line)
                    .font(.footnote)
                    .foregroundStyle(.secondary)
            }
        }
        if let progress = page.progress {
            Section {
                Text(progress)
                    .font(.headline)
                ProgressView(value: Double(page.scanned), total: Double(Swift.max(page.expected, 1)))
                    .accessibilityLabel(Text(progress))
                if let verdict = page.lastVerdict {
                    ToneLabel(text: verdict.text, tone: verdict.tone)
                }
                ForEach(page.bags, id: \.code) { item in
                    ItemRow(item: item, onOffer: onOffer)
                }
            }
        }
        Section {
            ForEach(Array(page.offers.enumerated()), id: \.offset) { _, offer in
                OfferButton(offer: offer, onOffer: onOffer)
            }
        }
    }
}

/// Other couriers' open handover requests near this courier, as the core words them: what the
/// page lists, when the list was fetched, where things stand (looking, taking, offline, no
/// position), and each request with its distance, bags, reason and age and its take offer
/// (disabled with the core's reason offline or off duty). The core fetches and takes; the page
/// changes by itself when the server answers, with a spinner while it waits.
struct NearbyHandoversPageView: View {
    let page: NearbyHandoversPage
    let onOffer: OnOffer

    var body: some View {
        Section {
            Text(page.summary)
            if let asOf = page.asOf {
                Text(asOf)
                    .font(.footnote)
                    .foregroundStyle(.secondary)
            }
            if let status = page.status {
                ToneLabel(text: status.text, tone: status.tone)
            }
            if page.busy {
                ProgressView()
            }
            if let empty = page.emptyText {
                Text(empty)
            }
        }
        ForEach(page.entries, id: \.taskId) { entry in
            Section {
                Text(entry.title)
                    .font(.headline)
                    .accessibilityAddTraits(.isHeader)
                Text(entry.bags)
                Text(entry.reason)
                if let note = entry.note {
                    Text(note)
                }
                Text(entry.asked)
                    .font(.footnote)
                OfferButton(offer: entry.take, onOffer: onOffer)
            }
        }
        Section {
            OfferList(offers: page.offers, onOffer: onOffer)
        }
    }
}

/// The courier's earnings for today or this week, as the core words them: the period and its
/// switch, the totals (confirmed, still expected), each incentive programme as a bar with its
/// verdict, and the lines newest first with their state and appeal offers. Amounts arrive
/// formatted; nothing here adds, compares or rounds money.
struct EarningsPageView: View {
    let page: EarningsPage
    let onOffer: OnOffer

    var body: some View {
        Section {
            OfferButton(offer: page.switchPeriod, onOffer: onOffer)
            Text(page.total)
                .font(.title2)
            Text(page.confirmed)
            if let expected = page.expected {
                Text(expected)
            }
        } header: {
            Text(page.period)
                .accessibilityAddTraits(.isHeader)
        }
        ForEach(page.incentives, id: \.id) { incentive in
            Section {
                Text(incentive.title)
                    .font(.headline)
                ProgressView(value: Double(incentive.progressBp), total: 10_000)
                    .accessibilityLabel(Text(incentive.progress))
                Text(incentive.progress)
                    .font(.caption)
                ToneLabel(text: incentive.verdict, tone: incentive.tone)
            }
        }
        if let empty = page.emptyText {
            Section {
                Text(empty)
            }
        }
        ForEach(page.lines, id: \.lineId) { line in
            Section {
                HStack {
                    Text(line.title)
                        .font(.headline)
                    Spacer()
                    Text(line.amount)
                        .monospacedDigit()
                }
                .accessibilityElement(children: .combine)
                ToneLabel(text: line.stateText, tone: line.tone)
                Text(line.when)
                    .font(.caption)
                if let detail = line.detail {
                    Text(detail)
                        .font(.caption)
                }
                if let appeal = line.appeal {
                    Text(appeal)
                }
                OfferList(offers: line.offers, onOffer: onOffer)
            }
        }
    }
}
