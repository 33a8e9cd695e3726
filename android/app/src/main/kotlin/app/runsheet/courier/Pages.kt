package app.runsheet.courier

import androidx.compose.foundation.layout.Arrangement
import androidx.compose.foundation.layout.Column
import androidx.compose.foundation.layout.Row
import androidx.compose.foundation.layout.fillMaxWidth
import androidx.compose.foundation.layout.padding
import androidx.compose.foundation.layout.size
import androidx.compose.foundation.lazy.LazyListScope
import androidx.compose.foundation.lazy.items
import androidx.compose.material.icons.Icons
import androidx.compose.material.icons.filled.CheckCircle
import androidx.compose.material.icons.filled.Info
import androidx.compose.material3.Card
import androidx.compose.material3.HorizontalDivider
import androidx.compose.material3.Icon
import androidx.compose.material3.LinearProgressIndicator
import androidx.compose.material3.MaterialTheme
import androidx.compose.material3.Text
import androidx.compose.runtime.Composable
import androidx.compose.ui.Alignment
import androidx.compose.ui.Modifier
import androidx.compose.ui.res.stringResource
import androidx.compose.ui.semantics.contentDescription
import androidx.compose.ui.semantics.heading
import androidx.compose.ui.semantics.semantics
import androidx.compose.ui.unit.dp
import app.runsheet.screens.CasePage
import app.runsheet.screens.CaseView
import app.runsheet.screens.CasesPage
import app.runsheet.screens.ChecklistItemView
import app.runsheet.screens.ChecklistPage
import app.runsheet.screens.Figure
import app.runsheet.screens.HandoverPage
import app.runsheet.screens.ItemState
import app.runsheet.screens.ItemView
import app.runsheet.screens.KpiPage
import app.runsheet.screens.Lateness
import app.runsheet.screens.ProblemPage
import app.runsheet.screens.RatingView
import app.runsheet.screens.RatingsPage
import app.runsheet.screens.SignInPage
import app.runsheet.screens.StopView
import app.runsheet.screens.TaskListPage
import app.runsheet.screens.TaskOfferView
import app.runsheet.screens.TaskOffersPage
import app.runsheet.screens.TaskPage
import app.runsheet.screens.TaskRow
import app.runsheet.screens.ToRate
import app.runsheet.screens.Tone

// The pages of the core's screen, one renderer per body variant. They draw what the page
// holds, in its order, and offer exactly its offers; none of them decides anything.

/** How a lateness reads (its words are beside it, from the core). */
fun latenessTone(lateness: Lateness): Tone = when (lateness) {
    Lateness.UNKNOWN -> Tone.NEUTRAL
    Lateness.ON_TIME -> Tone.GOOD
    Lateness.AT_RISK -> Tone.WARNING
    Lateness.LATE -> Tone.BAD
}

/** Sign in: why, and the sign-in offer (its input is the token). */
@Composable
fun SignInPageView(page: SignInPage, onOffer: OnOffer) {
    Column(verticalArrangement = Arrangement.spacedBy(12.dp)) {
        Text(page.text, style = MaterialTheme.typography.bodyLarge)
        OfferButton(page.signIn, onOffer)
    }
}

/** The task list: its summary, then one card per row in the core's order. */
fun LazyListScope.taskListPage(page: TaskListPage, onOffer: OnOffer) {
    item(key = "summary") {
        Column(verticalArrangement = Arrangement.spacedBy(4.dp)) {
            Text(page.summary, style = MaterialTheme.typography.titleSmall, modifier = Modifier.semantics { heading() })
            page.emptyText?.let { Text(it, style = MaterialTheme.typography.bodyMedium) }
        }
    }
    items(page.rows, key = { it.taskId }) { row -> TaskRowCard(row, onOffer) }
}

@Composable
private fun TaskRowCard(row: TaskRow, onOffer: OnOffer) {
    Card(Modifier.fillMaxWidth()) {
        Column(Modifier.padding(12.dp), verticalArrangement = Arrangement.spacedBy(6.dp)) {
            Text(row.groupLabel, style = MaterialTheme.typography.labelMedium)
            Text(row.title, style = MaterialTheme.typography.titleMedium)
            ToneLine("${row.kind} · ${row.status}", row.tone)
            row.promised?.let { Text(it, style = MaterialTheme.typography.bodyMedium) }
            row.latenessText?.let { ToneLine(it, latenessTone(row.lateness)) }
            row.unsent?.let { ToneLine(it, Tone.WARNING) }
            row.primary?.let { OfferButton(it, onOffer) }
            OfferRow(row.secondary, onOffer)
        }
    }
}

/** One task: status, notes, stops, items, contact, maps, its actions and its timeline. */
@Composable
fun TaskPageView(page: TaskPage, onOffer: OnOffer) {
    Column(verticalArrangement = Arrangement.spacedBy(12.dp)) {
        Text("${page.kind} · ${page.status}", style = MaterialTheme.typography.titleMedium)
        for (note in page.notes) ToneLine(note, Tone.NEUTRAL)
        page.primary?.let { OfferButton(it, onOffer) }
        OfferRow(page.secondary, onOffer)
        for (stop in page.stops) StopCard(stop)
        if (page.items.isNotEmpty()) HorizontalDivider()
        for (item in page.items) ItemLine(item, onOffer)
        if (page.takeBack.isNotEmpty()) HorizontalDivider()
        for (item in page.takeBack) ItemLine(item, onOffer)
        OfferRow(page.cases, onOffer)
        OfferRow(page.contact, onOffer)
        OfferRow(page.maps, onOffer)
        if (page.timeline.isNotEmpty()) HorizontalDivider()
        for (line in page.timeline) {
            Row(horizontalArrangement = Arrangement.spacedBy(8.dp)) {
                Text(line.time, style = MaterialTheme.typography.bodySmall)
                Text(line.text, style = MaterialTheme.typography.bodySmall)
            }
        }
    }
}

@Composable
private fun StopCard(stop: StopView) {
    Card(Modifier.fillMaxWidth()) {
        Column(Modifier.padding(12.dp), verticalArrangement = Arrangement.spacedBy(4.dp)) {
            Text(stop.role, style = MaterialTheme.typography.labelLarge)
            Text(stop.name, style = MaterialTheme.typography.titleSmall)
            Text(stop.address, style = MaterialTheme.typography.bodyMedium)
            for (time in stop.times) ToneLine(time, latenessTone(stop.lateness))
        }
    }
}

/** An item with its state (icon and the core's words) and its offers. */
@Composable
fun ItemLine(item: ItemView, onOffer: OnOffer) {
    val tone = when (item.state) {
        ItemState.PENDING -> Tone.NEUTRAL
        ItemState.CONFIRMED -> Tone.GOOD
    }
    Column(verticalArrangement = Arrangement.spacedBy(2.dp)) {
        Text(item.name, style = MaterialTheme.typography.bodyLarge)
        Text("${item.code} · ${item.temperature}", style = MaterialTheme.typography.bodySmall)
        ToneLine(item.stateText, tone)
        OfferRow(item.offers, onOffer)
    }
}

/** A checklist of the stage the core chose: per item its answer, problem and offers. */
@Composable
fun ChecklistPageView(page: ChecklistPage, onOffer: OnOffer) {
    Column(verticalArrangement = Arrangement.spacedBy(12.dp)) {
        ToneLine(page.summary, if (page.complete) Tone.GOOD else Tone.NEUTRAL)
        for (item in page.items) ChecklistItemCard(item, onOffer)
    }
}

@Composable
private fun ChecklistItemCard(item: ChecklistItemView, onOffer: OnOffer) {
    val done = stringResource(R.string.item_done)
    val notDone = stringResource(R.string.item_not_done)
    val required = stringResource(R.string.item_required)
    // A choice is answered by picking one of the item's options (the kind carries them).
    Card(Modifier.fillMaxWidth()) {
        Column(Modifier.padding(12.dp), verticalArrangement = Arrangement.spacedBy(6.dp)) {
            Row(verticalAlignment = Alignment.CenterVertically, horizontalArrangement = Arrangement.spacedBy(6.dp)) {
                Icon(
                    if (item.done) Icons.Filled.CheckCircle else Icons.Filled.Info,
                    contentDescription = if (item.done) done else notDone,
                    modifier = Modifier.size(18.dp),
                )
                Text(item.label, style = MaterialTheme.typography.titleSmall, modifier = Modifier.weight(1f))
                if (item.required) {
                    Text("*", modifier = Modifier.semantics { contentDescription = required })
                }
            }
            item.answer?.let { Text(it, style = MaterialTheme.typography.bodyMedium) }
            item.problem?.let { ToneLine(it, Tone.BAD) }
            for (offer in item.offers) OfferButton(offer, onOffer)
        }
    }
}

/** The problem sheet: photos, and the reasons that apply with their inputs. */
@Composable
fun ProblemPageView(page: ProblemPage, onOffer: OnOffer) {
    Column(verticalArrangement = Arrangement.spacedBy(12.dp)) {
        Text(page.photos, style = MaterialTheme.typography.bodyMedium)
        OfferButton(page.takePhoto, onOffer)
        for (reason in page.reasons) {
            Card(Modifier.fillMaxWidth()) {
                Column(Modifier.padding(12.dp), verticalArrangement = Arrangement.spacedBy(6.dp)) {
                    Text(reason.label, style = MaterialTheme.typography.titleSmall)
                    ToneLine(reason.effect, if (reason.endsDelivery) Tone.WARNING else Tone.NEUTRAL)
                    OfferButton(reason.report, onOffer)
                }
            }
        }
    }
}

/** Ratings received (with appeals) and the stops the courier may still rate. */
@Composable
fun RatingsPageView(page: RatingsPage, onOffer: OnOffer) {
    Column(verticalArrangement = Arrangement.spacedBy(12.dp)) {
        page.emptyText?.let { Text(it, style = MaterialTheme.typography.bodyMedium) }
        for (rate in page.toRate) ToRateCard(rate, onOffer)
        for (rating in page.ratings) RatingCard(rating, onOffer)
    }
}

@Composable
private fun ToRateCard(rate: ToRate, onOffer: OnOffer) {
    Card(Modifier.fillMaxWidth()) {
        Column(Modifier.padding(12.dp), verticalArrangement = Arrangement.spacedBy(6.dp)) {
            Text(rate.title, style = MaterialTheme.typography.titleSmall)
            Text(rate.until, style = MaterialTheme.typography.bodySmall)
            OfferRow(rate.offers, onOffer)
        }
    }
}

@Composable
private fun RatingCard(rating: RatingView, onOffer: OnOffer) {
    Card(Modifier.fillMaxWidth()) {
        Column(Modifier.padding(12.dp), verticalArrangement = Arrangement.spacedBy(6.dp)) {
            // The title spells the stars ("★★★☆☆"); TalkBack reads the same title.
            ToneLine(rating.title, rating.tone)
            rating.detail?.let { Text(it, style = MaterialTheme.typography.bodyMedium) }
            Text(rating.`when`, style = MaterialTheme.typography.bodySmall)
            rating.appeal?.let { Text(it, style = MaterialTheme.typography.bodyMedium) }
            OfferRow(rating.offers, onOffer)
        }
    }
}

/** The courier's figures against the platform's targets, as the core judged them. */
@Composable
fun KpiPageView(page: KpiPage) {
    Column(verticalArrangement = Arrangement.spacedBy(12.dp)) {
        Text(page.period, style = MaterialTheme.typography.titleSmall, modifier = Modifier.semantics { heading() })
        for (figure in page.figures) FigureCard(figure)
    }
}

@Composable
private fun FigureCard(figure: Figure) {
    Card(Modifier.fillMaxWidth()) {
        Column(Modifier.padding(12.dp), verticalArrangement = Arrangement.spacedBy(4.dp)) {
            Row(verticalAlignment = Alignment.CenterVertically) {
                Text(figure.name, style = MaterialTheme.typography.titleSmall, modifier = Modifier.weight(1f))
                Text(figure.value, style = MaterialTheme.typography.titleMedium)
            }
            Text(figure.target, style = MaterialTheme.typography.bodySmall)
            ToneLine(figure.verdict, figure.tone)
        }
    }
}

/** The after-sales cases about the courier's deliveries, in the core's order. */
@Composable
fun CasesPageView(page: CasesPage, onOffer: OnOffer) {
    Column(verticalArrangement = Arrangement.spacedBy(12.dp)) {
        page.emptyText?.let { Text(it, style = MaterialTheme.typography.bodyMedium) }
        for (case in page.cases) CaseCard(case, onOffer)
    }
}

/** One case: the link to its task, then the case with its answer offer. */
@Composable
fun CasePageView(page: CasePage, onOffer: OnOffer) {
    Column(verticalArrangement = Arrangement.spacedBy(12.dp)) {
        page.task?.let { OfferButton(it, onOffer) }
        CaseCard(page.detail, onOffer)
    }
}

/** A case as the core words it: kind, status, deadlines, statement, resolution and offers. */
@Composable
private fun CaseCard(case: CaseView, onOffer: OnOffer) {
    Card(Modifier.fillMaxWidth()) {
        Column(Modifier.padding(12.dp), verticalArrangement = Arrangement.spacedBy(6.dp)) {
            Text(case.title, style = MaterialTheme.typography.titleSmall, modifier = Modifier.semantics { heading() })
            Text(case.about, style = MaterialTheme.typography.bodySmall)
            ToneLine(case.status, case.tone)
            Text(case.summary, style = MaterialTheme.typography.bodyMedium)
            Text(case.opened, style = MaterialTheme.typography.bodySmall)
            for (deadline in case.deadlines) ToneLine(deadline, case.tone)
            case.statement?.let { Text(it, style = MaterialTheme.typography.bodyMedium) }
            case.resolution?.let { Text(it, style = MaterialTheme.typography.bodyMedium) }
            case.fault?.let { ToneLine(it, Tone.NEUTRAL) }
            case.followUp?.let { OfferButton(it, onOffer) }
            OfferRow(case.offers, onOffer)
        }
    }
}

/** The offers of work waiting for the courier, in the core's order. */
@Composable
fun OffersPageView(page: TaskOffersPage, onOffer: OnOffer) {
    Column(verticalArrangement = Arrangement.spacedBy(12.dp)) {
        OfferButton(page.nearbyHandovers, onOffer)
        page.emptyText?.let { Text(it, style = MaterialTheme.typography.bodyMedium) }
        for (offer in page.offers) OfferCard(offer, onOffer)
    }
}

/**
 * One offer: its title, the seconds left (the core's count, shown as the number it gives; the
 * screen is recomputed every second while it runs), its state, the tasks, what accepting would
 * do to the plan, and its answers.
 */
@Composable
private fun OfferCard(offer: TaskOfferView, onOffer: OnOffer) {
    Card(Modifier.fillMaxWidth()) {
        Column(Modifier.padding(12.dp), verticalArrangement = Arrangement.spacedBy(6.dp)) {
            Text(offer.title, style = MaterialTheme.typography.titleSmall, modifier = Modifier.semantics { heading() })
            offer.timeLeft?.let { left ->
                Row(verticalAlignment = Alignment.CenterVertically, horizontalArrangement = Arrangement.spacedBy(8.dp)) {
                    Text(offer.remainingS.toString(), style = MaterialTheme.typography.headlineMedium)
                    Text(left, style = MaterialTheme.typography.bodyMedium)
                }
            }
            offer.answerBy?.let { Text(it, style = MaterialTheme.typography.bodySmall) }
            ToneLine(offer.state, offer.tone)
            for (task in offer.tasks) Text(task, style = MaterialTheme.typography.bodyMedium)
            for (line in offer.impact) ToneLine(line, offer.impactTone)
            offer.accept?.let { OfferButton(it, onOffer) }
            OfferRow(offer.decline, onOffer)
        }
    }
}

/**
 * A task's handover between couriers, as the core words it: who holds the goods, the latest
 * handover's status, reason and times, the receiving courier's bags with the last verdict, and
 * the offers (one per reason for the giver; a bag code for the receiver).
 */
@Composable
fun HandoverPageView(page: HandoverPage, onOffer: OnOffer) {
    Column(verticalArrangement = Arrangement.spacedBy(12.dp)) {
        Text(page.custodyText, style = MaterialTheme.typography.titleMedium, modifier = Modifier.semantics { heading() })
        page.status?.let { Text(it, style = MaterialTheme.typography.bodyMedium) }
        page.reason?.let { Text(it, style = MaterialTheme.typography.bodyMedium) }
        for (line in page.history) Text(line, style = MaterialTheme.typography.bodySmall)
        page.progress?.let { progress ->
            Text(progress, style = MaterialTheme.typography.titleSmall)
            LinearProgressIndicator(
                progress = { if (page.expected > 0u) page.scanned.toFloat() / page.expected.toFloat() else 0f },
                modifier = Modifier.fillMaxWidth().semantics { contentDescription = progress },
            )
        }
        page.lastVerdict?.let { ToneLine(it.text, it.tone) }
        OfferRow(page.offers, onOffer)
        for (bag in page.bags) ItemLine(bag, onOffer)
    }
}
