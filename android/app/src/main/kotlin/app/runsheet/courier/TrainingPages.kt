package app.runsheet.courier

import androidx.compose.foundation.layout.Arrangement
import androidx.compose.foundation.layout.Column
import androidx.compose.foundation.layout.fillMaxWidth
import androidx.compose.foundation.layout.padding
import androidx.compose.material3.Card
import androidx.compose.material3.MaterialTheme
import androidx.compose.material3.Text
import androidx.compose.runtime.Composable
import androidx.compose.ui.Modifier
import androidx.compose.ui.semantics.heading
import androidx.compose.ui.semantics.semantics
import androidx.compose.ui.unit.dp
import app.runsheet.screens.ModulePage
import app.runsheet.screens.QuizPage
import app.runsheet.screens.QuizQuestionView
import app.runsheet.screens.ReviewPage
import app.runsheet.screens.Tone
import app.runsheet.screens.TrainingListPage
import app.runsheet.screens.TrainingRow

/** The training modules with where the courier stands, warnings first, in the core's words. */
@Composable
fun TrainingListPageView(page: TrainingListPage, onOffer: OnOffer) {
    Column(verticalArrangement = Arrangement.spacedBy(12.dp)) {
        for (warning in page.warnings) ToneLine(warning, Tone.WARNING)
        page.emptyText?.let { Text(it, style = MaterialTheme.typography.bodyMedium) }
        for (row in page.rows) TrainingRowCard(row, onOffer)
        OfferButton(page.review, onOffer)
    }
}

/** A module: where the courier stands, its pages (images as their references), the quiz. */
@Composable
fun ModulePageView(page: ModulePage, onOffer: OnOffer) {
    Column(verticalArrangement = Arrangement.spacedBy(12.dp)) {
        TrainingRowCard(page.row, onOffer)
        for (lesson in page.lessons) {
            Text(lesson.text, style = MaterialTheme.typography.bodyLarge)
            for (image in lesson.images) Text(image, style = MaterialTheme.typography.bodySmall)
        }
        Text(page.quizSummary, style = MaterialTheme.typography.titleSmall)
        page.lastAttempt?.let { Text(it, style = MaterialTheme.typography.bodySmall) }
        OfferButton(page.startQuiz, onOffer)
    }
}

/** The quiz: each question with its choices as buttons, then submit (the core enables it). */
@Composable
fun QuizPageView(page: QuizPage, onOffer: OnOffer) {
    Column(verticalArrangement = Arrangement.spacedBy(12.dp)) {
        Text(page.summary, style = MaterialTheme.typography.titleSmall)
        for (question in page.questions) QuizQuestionCard(question, onOffer)
        OfferButton(page.submit, onOffer)
    }
}

/** The six-monthly review: the period, the figures, the qualifications. */
@Composable
fun ReviewPageView(page: ReviewPage) {
    Column(verticalArrangement = Arrangement.spacedBy(12.dp)) {
        Text(page.period, style = MaterialTheme.typography.titleSmall, modifier = Modifier.semantics { heading() })
        KpiPageView(app.runsheet.screens.KpiPage(page.period, page.figures))
        for (q in page.qualifications) Text(q, style = MaterialTheme.typography.bodyMedium)
    }
}

@Composable
private fun TrainingRowCard(row: TrainingRow, onOffer: OnOffer) {
    Card(Modifier.fillMaxWidth()) {
        Column(Modifier.padding(12.dp), verticalArrangement = Arrangement.spacedBy(4.dp)) {
            Text(row.title, style = MaterialTheme.typography.titleSmall, modifier = Modifier.semantics { heading() })
            ToneLine(row.status, row.tone)
            row.validity?.let { Text(it, style = MaterialTheme.typography.bodySmall) }
            row.neededFor?.let { Text(it, style = MaterialTheme.typography.bodySmall) }
            OfferRow(row.offers, onOffer)
        }
    }
}

@Composable
private fun QuizQuestionCard(question: QuizQuestionView, onOffer: OnOffer) {
    Card(Modifier.fillMaxWidth()) {
        Column(Modifier.padding(12.dp), verticalArrangement = Arrangement.spacedBy(6.dp)) {
            Text(question.number, style = MaterialTheme.typography.bodySmall)
            Text(question.text, style = MaterialTheme.typography.titleSmall)
            Text(question.chosen, style = MaterialTheme.typography.bodySmall)
            for (choice in question.choices) OfferButton(choice, onOffer, Modifier.fillMaxWidth())
        }
    }
}
