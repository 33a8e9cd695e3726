package app.runsheet.courier

import androidx.compose.foundation.layout.Arrangement
import androidx.compose.foundation.layout.Column
import androidx.compose.foundation.layout.fillMaxWidth
import androidx.compose.foundation.layout.padding
import androidx.compose.material3.Card
import androidx.compose.material3.LinearProgressIndicator
import androidx.compose.material3.MaterialTheme
import androidx.compose.material3.Text
import androidx.compose.runtime.Composable
import androidx.compose.ui.Modifier
import androidx.compose.ui.semantics.heading
import androidx.compose.ui.semantics.semantics
import androidx.compose.ui.unit.dp
import app.runsheet.screens.NearbyHandoverView
import app.runsheet.screens.NearbyHandoversPage

/**
 * Other couriers' open handover requests near this courier, as the core words them: what the
 * page lists, when the list was fetched, where things stand (looking, taking, offline, no
 * position), and each request with its distance, bags, reason and age and its take offer
 * (greyed out with the core's reason offline or off duty). The core fetches and takes; the page
 * changes by itself when the server answers, and shows a bar while it waits.
 */
@Composable
fun NearbyHandoversPageView(page: NearbyHandoversPage, onOffer: OnOffer) {
    Column(verticalArrangement = Arrangement.spacedBy(12.dp)) {
        Text(page.summary, style = MaterialTheme.typography.bodyMedium)
        page.asOf?.let { Text(it, style = MaterialTheme.typography.bodySmall) }
        page.status?.let { ToneLine(it.text, it.tone) }
        if (page.busy) LinearProgressIndicator(modifier = Modifier.fillMaxWidth())
        page.emptyText?.let { Text(it, style = MaterialTheme.typography.bodyMedium) }
        for (entry in page.entries) NearbyHandoverCard(entry, onOffer)
        OfferRow(page.offers, onOffer)
    }
}

/** One request: where and how far, the bags, why, how long ago, and the take offer. */
@Composable
private fun NearbyHandoverCard(entry: NearbyHandoverView, onOffer: OnOffer) {
    Card(Modifier.fillMaxWidth()) {
        Column(Modifier.padding(12.dp), verticalArrangement = Arrangement.spacedBy(6.dp)) {
            Text(entry.title, style = MaterialTheme.typography.titleSmall, modifier = Modifier.semantics { heading() })
            Text(entry.bags, style = MaterialTheme.typography.bodyMedium)
            Text(entry.reason, style = MaterialTheme.typography.bodyMedium)
            entry.note?.let { Text(it, style = MaterialTheme.typography.bodyMedium) }
            Text(entry.asked, style = MaterialTheme.typography.bodySmall)
            OfferButton(entry.take, onOffer)
        }
    }
}
