package app.runsheet.courier

import androidx.compose.foundation.layout.Arrangement
import androidx.compose.foundation.layout.Column
import androidx.compose.foundation.layout.Row
import androidx.compose.foundation.layout.fillMaxWidth
import androidx.compose.foundation.layout.padding
import androidx.compose.material3.Card
import androidx.compose.material3.LinearProgressIndicator
import androidx.compose.material3.MaterialTheme
import androidx.compose.material3.Text
import androidx.compose.runtime.Composable
import androidx.compose.ui.Alignment
import androidx.compose.ui.Modifier
import androidx.compose.ui.semantics.contentDescription
import androidx.compose.ui.semantics.heading
import androidx.compose.ui.semantics.semantics
import androidx.compose.ui.unit.dp
import app.runsheet.screens.EarningLineView
import app.runsheet.screens.EarningsPage
import app.runsheet.screens.IncentiveView

/**
 * The courier's earnings for today or this week, as the core words them: the period and its
 * switch, the totals (what is confirmed, what is still expected), each incentive programme as a
 * bar with its verdict, and the lines newest first with their state and appeal offers. Amounts
 * arrive formatted; nothing here adds, compares or rounds money.
 */
@Composable
fun EarningsPageView(page: EarningsPage, onOffer: OnOffer) {
    Column(verticalArrangement = Arrangement.spacedBy(12.dp)) {
        Text(page.period, style = MaterialTheme.typography.titleSmall, modifier = Modifier.semantics { heading() })
        OfferButton(page.switchPeriod, onOffer)
        Text(page.total, style = MaterialTheme.typography.titleLarge)
        Text(page.confirmed, style = MaterialTheme.typography.bodyMedium)
        page.expected?.let { Text(it, style = MaterialTheme.typography.bodyMedium) }
        for (incentive in page.incentives) IncentiveCard(incentive)
        page.emptyText?.let { Text(it, style = MaterialTheme.typography.bodyMedium) }
        for (line in page.lines) EarningLineCard(line, onOffer)
    }
}

@Composable
private fun IncentiveCard(incentive: IncentiveView) {
    Card(Modifier.fillMaxWidth()) {
        Column(Modifier.padding(12.dp), verticalArrangement = Arrangement.spacedBy(6.dp)) {
            Text(incentive.title, style = MaterialTheme.typography.titleSmall)
            LinearProgressIndicator(
                progress = { incentive.progressBp.toFloat() / 10_000f },
                modifier = Modifier.fillMaxWidth().semantics { contentDescription = incentive.progress },
            )
            Text(incentive.progress, style = MaterialTheme.typography.bodySmall)
            ToneLine(incentive.verdict, incentive.tone)
        }
    }
}

@Composable
private fun EarningLineCard(line: EarningLineView, onOffer: OnOffer) {
    Card(Modifier.fillMaxWidth()) {
        Column(Modifier.padding(12.dp), verticalArrangement = Arrangement.spacedBy(4.dp)) {
            Row(verticalAlignment = Alignment.CenterVertically) {
                Text(line.title, style = MaterialTheme.typography.titleSmall, modifier = Modifier.weight(1f))
                Text(line.amount, style = MaterialTheme.typography.titleMedium)
            }
            ToneLine(line.stateText, line.tone)
            Text(line.`when`, style = MaterialTheme.typography.bodySmall)
            line.detail?.let { Text(it, style = MaterialTheme.typography.bodySmall) }
            line.appeal?.let { Text(it, style = MaterialTheme.typography.bodyMedium) }
            OfferRow(line.offers, onOffer)
        }
    }
}
