package app.runsheet.courier

import androidx.compose.foundation.layout.Arrangement
import androidx.compose.foundation.layout.Column
import androidx.compose.foundation.layout.Row
import androidx.compose.foundation.layout.padding
import androidx.compose.foundation.lazy.LazyColumn
import androidx.compose.foundation.lazy.items
import androidx.compose.material3.Card
import androidx.compose.material3.FilterChip
import androidx.compose.material3.MaterialTheme
import androidx.compose.material3.OutlinedTextField
import androidx.compose.material3.Text
import androidx.compose.material3.TextButton
import androidx.compose.runtime.Composable
import androidx.compose.runtime.getValue
import androidx.compose.runtime.mutableStateOf
import androidx.compose.runtime.remember
import androidx.compose.runtime.setValue
import androidx.compose.ui.Modifier
import androidx.compose.ui.unit.dp
import app.runsheet.core.KpiPeriod
import app.runsheet.protocol.AppealStatus
import app.runsheet.protocol.Kpis
import app.runsheet.protocol.Rating

/**
 * Where the courier stands: the figures the platform measures (computed on the phone, the same
 * as the server's) for today, 7 and 30 days, each marked when below its target, and the
 * ratings received with an "Appeal" action while the core allows one.
 */
@Composable
fun KpiScreen(
    period: KpiPeriod,
    kpis: Kpis?,
    ratings: List<Rating>,
    onPeriod: (KpiPeriod) -> Unit,
    onAppeal: (Rating, String) -> Unit,
    onClose: () -> Unit,
) {
    var appealing by remember { mutableStateOf<Rating?>(null) }
    var reason by remember { mutableStateOf("") }
    Column(Modifier.padding(16.dp), verticalArrangement = Arrangement.spacedBy(8.dp)) {
        Row(horizontalArrangement = Arrangement.spacedBy(4.dp)) {
            KpiPeriod.values().forEach { p ->
                FilterChip(p == period, { onPeriod(p) }, {
                    Text(when (p) { KpiPeriod.TODAY -> "Today"; KpiPeriod.WEEK -> "7 days"; KpiPeriod.MONTH -> "30 days" })
                })
            }
        }
        if (kpis != null) {
            Text("${kpis.deliveries} deliveries", style = MaterialTheme.typography.titleMedium)
            Figure("On time", kpis.onTimeRate?.let { pct(it) }, "≥ 95%", "on_time_rate" in kpis.belowTarget)
            Figure("Delivery time at peak", kpis.avgDeliveryMinPeak?.let { "%.0f min".format(it) }, "≤ 30 min", "avg_delivery_min_peak" in kpis.belowTarget)
            Figure("Delivery time off-peak", kpis.avgDeliveryMinOffPeak?.let { "%.0f min".format(it) }, "≤ 45 min", "avg_delivery_min_off_peak" in kpis.belowTarget)
            Figure("Order errors", kpis.orderErrorRate?.let { pct(it) }, "≤ 0.5%", "order_error_rate" in kpis.belowTarget)
            Figure("Delays (over 10 min)", kpis.delayRate?.let { pct(it) }, "≤ 3%", "delay_rate" in kpis.belowTarget)
            Figure("Satisfaction (4–5 stars)", kpis.satisfaction?.let { pct(it) }, "≥ 90%", "satisfaction" in kpis.belowTarget)
        }
        Text("Ratings", style = MaterialTheme.typography.titleMedium)
        LazyColumn(verticalArrangement = Arrangement.spacedBy(6.dp)) {
            items(ratings, key = { it.id }) { r ->
                Card {
                    Column(Modifier.padding(12.dp)) {
                        Text("Task ${r.taskId}: ${r.stars?.let { "$it ★" } ?: r.tags.joinToString()}")
                        r.comment?.let { Text(it, style = MaterialTheme.typography.bodySmall) }
                        when (r.appeal) {
                            null -> TextButton(onClick = { appealing = r }) { Text("Appeal") }
                            AppealStatus.PENDING -> Text("Appeal pending")
                            AppealStatus.UPHELD -> Text("Appeal upheld: no longer counts")
                            AppealStatus.REJECTED -> Text("Appeal rejected${r.appealNote?.let { ": $it" } ?: ""}")
                        }
                    }
                }
            }
        }
        appealing?.let { r ->
            OutlinedTextField(value = reason, onValueChange = { reason = it }, label = { Text("Why is rating ${r.id} unfair?") })
            TextButton(onClick = { onAppeal(r, reason); appealing = null; reason = "" }) { Text("Send appeal with the evidence") }
        }
        TextButton(onClick = onClose) { Text("Back") }
    }
}

@Composable
private fun Figure(name: String, value: String?, target: String, below: Boolean) {
    Text(
        "$name: ${value ?: "—"} (target $target)",
        color = if (below) MaterialTheme.colorScheme.error else MaterialTheme.colorScheme.onSurface,
    )
}

private fun pct(v: Double) = "%.1f%%".format(v * 100)
