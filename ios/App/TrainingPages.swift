import RunsheetCore
import SwiftUI

/// The training modules with where the courier stands, warnings first, in the core's words.
struct TrainingListPageView: View {
    let page: TrainingListPage
    let onOffer: OnOffer

    var body: some View {
        if !page.warnings.isEmpty {
            Section {
                ForEach(Array(page.warnings.enumerated()), id: \.offset) { _, warning in
                    ToneLabel(text: warning, tone: .warning)
                }
            }
        }
        if let empty = page.emptyText {
            Section {
                Text(empty)
            }
        }
        ForEach(page.rows, id: \.moduleId) { row in
            Section {
                TrainingRowView(row: row, onOffer: onOffer)
            }
        }
        Section {
            OfferButton(offer: page.review, onOffer: onOffer)
        }
    }
}

/// A module: where the courier stands, its pages (images as their references), the quiz.
struct ModulePageView: View {
    let page: ModulePage
    let onOffer: OnOffer

    var body: some View {
        Section {
            TrainingRowView(row: page.row, onOffer: onOffer)
        }
        Section {
            ForEach(Array(page.lessons.enumerated()), id: \.offset) { _, lesson in
                VStack(alignment: .leading, spacing: 4) {
                    Text(lesson.text)
                    ForEach(lesson.images, id: \.self) { image in
                        Text(image)
                            .font(.caption)
                    }
                }
            }
        }
        Section {
            Text(page.quizSummary)
                .font(.headline)
            if let last = page.lastAttempt {
                Text(last)
                    .font(.caption)
            }
            OfferButton(offer: page.startQuiz, onOffer: onOffer)
        }
    }
}

/// The quiz: each question with its choices as buttons, then submit (the core enables it).
struct QuizPageView: View {
    let page: QuizPage
    let onOffer: OnOffer

    var body: some View {
        Section {
            Text(page.summary)
                .font(.headline)
        }
        ForEach(Array(page.questions.enumerated()), id: \.offset) { _, question in
            Section {
                Text(question.number)
                    .font(.caption)
                Text(question.text)
                    .font(.headline)
                Text(question.chosen)
                    .font(.caption)
                OfferList(offers: question.choices, onOffer: onOffer)
            }
        }
        Section {
            OfferButton(offer: page.submit, onOffer: onOffer)
        }
    }
}

/// The six-monthly review: the period, the figures, the qualifications.
struct ReviewPageView: View {
    let page: ReviewPage

    var body: some View {
        KpiPageView(page: KpiPage(period: page.period, figures: page.figures))
        Section {
            ForEach(page.qualifications, id: \.self) { qualification in
                Text(qualification)
            }
        }
    }
}

/// One module's row: title, status with its tone, validity, what it is needed for, offers.
struct TrainingRowView: View {
    let row: TrainingRow
    let onOffer: OnOffer

    var body: some View {
        VStack(alignment: .leading, spacing: 4) {
            Text(row.title)
                .font(.headline)
            ToneLabel(text: row.status, tone: row.tone)
            if let validity = row.validity {
                Text(validity)
                    .font(.caption)
            }
            if let neededFor = row.neededFor {
                Text(neededFor)
                    .font(.caption)
            }
        }
        .accessibilityElement(children: .combine)
        OfferList(offers: row.offers, onOffer: onOffer)
    }
}
