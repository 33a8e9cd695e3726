package app.runsheet.courier

import androidx.compose.foundation.layout.Arrangement
import androidx.compose.foundation.layout.Column
import androidx.compose.foundation.layout.PaddingValues
import androidx.compose.foundation.layout.Row
import androidx.compose.foundation.layout.fillMaxSize
import androidx.compose.foundation.layout.fillMaxWidth
import androidx.compose.foundation.layout.padding
import androidx.compose.foundation.lazy.LazyColumn
import androidx.compose.foundation.lazy.LazyListScope
import androidx.compose.material.icons.Icons
import androidx.compose.material.icons.automirrored.filled.ArrowBack
import androidx.compose.material.icons.filled.MoreVert
import androidx.compose.material3.Card
import androidx.compose.material3.DropdownMenu
import androidx.compose.material3.DropdownMenuItem
import androidx.compose.material3.ExperimentalMaterial3Api
import androidx.compose.material3.HorizontalDivider
import androidx.compose.material3.Icon
import androidx.compose.material3.IconButton
import androidx.compose.material3.MaterialTheme
import androidx.compose.material3.Scaffold
import androidx.compose.material3.SnackbarHost
import androidx.compose.material3.SnackbarHostState
import androidx.compose.material3.Text
import androidx.compose.material3.TopAppBar
import androidx.compose.runtime.Composable
import androidx.compose.runtime.getValue
import androidx.compose.runtime.mutableStateOf
import androidx.compose.runtime.remember
import androidx.compose.runtime.setValue
import androidx.compose.ui.Alignment
import androidx.compose.ui.Modifier
import androidx.compose.ui.res.stringResource
import androidx.compose.ui.semantics.heading
import androidx.compose.ui.semantics.semantics
import androidx.compose.ui.unit.dp
import app.runsheet.screens.Body
import app.runsheet.screens.Header
import app.runsheet.screens.Screen
import app.runsheet.screens.ShiftBar
import app.runsheet.screens.SyncBanner
import app.runsheet.screens.Verdict

/**
 * The whole screen the core drew: the header (title, back, the app's sections and the
 * language switch), the sync banner, the shift bar, the last tap's notice and the page. Every
 * word and every action is the screen's; the page is chosen by the body's variant.
 */
@OptIn(ExperimentalMaterial3Api::class)
@Composable
fun ScreenView(screen: Screen, onOffer: OnOffer, snackbar: SnackbarHostState, scan: ScanInput) {
    Scaffold(
        topBar = { HeaderBar(screen.header, onOffer) },
        snackbarHost = { SnackbarHost(snackbar) },
    ) { padding ->
        LazyColumn(
            modifier = Modifier.fillMaxSize().padding(padding),
            contentPadding = PaddingValues(16.dp),
            verticalArrangement = Arrangement.spacedBy(12.dp),
        ) {
            item(key = "banner") { SyncBannerView(screen.syncBanner, onOffer) }
            item(key = "shift") { ShiftBarView(screen.shiftBar, onOffer) }
            screen.notice?.let { notice -> item(key = "notice") { NoticeView(notice) } }
            body(screen.body, onOffer, scan)
        }
    }
}

/** The page, by the body's variant. */
private fun LazyListScope.body(body: Body, onOffer: OnOffer, scan: ScanInput) {
    when (body) {
        is Body.SignIn -> item(key = "sign-in") { SignInPageView(body.page, onOffer) }
        is Body.Tasks -> taskListPage(body.page, onOffer)
        is Body.Task -> item(key = "task") { TaskPageView(body.page, onOffer) }
        is Body.Scan -> item(key = "scan") { ScanPageView(body.page, onOffer, scan) }
        is Body.Checklist -> item(key = "checklist") { ChecklistPageView(body.page, onOffer) }
        is Body.Problem -> item(key = "problem") { ProblemPageView(body.page, onOffer) }
        is Body.Ratings -> item(key = "ratings") { RatingsPageView(body.page, onOffer) }
        is Body.Kpis -> item(key = "kpis") { KpiPageView(body.page) }
        is Body.Cases -> item(key = "cases") { CasesPageView(body.page, onOffer) }
        is Body.CaseDetail -> item(key = "case") { CasePageView(body.page, onOffer) }
        is Body.Training -> item(key = "training") { TrainingListPageView(body.page, onOffer) }
        is Body.Module -> item(key = "module") { ModulePageView(body.page, onOffer) }
        is Body.Quiz -> item(key = "quiz") { QuizPageView(body.page, onOffer) }
        is Body.Review -> item(key = "review") { ReviewPageView(body.page) }
        is Body.Offers -> item(key = "offers") { OffersPageView(body.page, onOffer) }
        is Body.Handover -> item(key = "handover") { HandoverPageView(body.page, onOffer) }
        is Body.Earnings -> item(key = "earnings") { EarningsPageView(body.page, onOffer) }
        is Body.NearbyHandovers -> item(key = "nearby-handovers") { NearbyHandoversPageView(body.page, onOffer) }
    }
}

@OptIn(ExperimentalMaterial3Api::class)
@Composable
private fun HeaderBar(header: Header, onOffer: OnOffer) {
    var menu by remember { mutableStateOf(false) }
    TopAppBar(
        title = { Text(header.title, modifier = Modifier.semantics { heading() }) },
        navigationIcon = {
            header.back?.let { back ->
                IconButton(onClick = { onOffer.tap(back) }, enabled = back.enabled) {
                    Icon(Icons.AutoMirrored.Filled.ArrowBack, contentDescription = back.label)
                }
            }
        },
        actions = {
            if (header.tabs.isNotEmpty()) {
                IconButton(onClick = { menu = true }) {
                    Icon(Icons.Filled.MoreVert, contentDescription = stringResource(R.string.more_actions))
                }
                DropdownMenu(expanded = menu, onDismissRequest = { menu = false }) {
                    for (tab in header.tabs) {
                        DropdownMenuItem(
                            text = { Text(tab.label) },
                            enabled = tab.enabled,
                            onClick = {
                                menu = false
                                onOffer.tap(tab)
                            },
                        )
                    }
                }
            }
        },
    )
}

@Composable
private fun SyncBannerView(banner: SyncBanner, onOffer: OnOffer) {
    if (!banner.visible) return
    Card(Modifier.fillMaxWidth()) {
        Column(Modifier.padding(12.dp), verticalArrangement = Arrangement.spacedBy(8.dp)) {
            ToneLine(banner.text, banner.tone)
            OfferRow(banner.offers, onOffer)
        }
    }
}

@Composable
private fun ShiftBarView(bar: ShiftBar, onOffer: OnOffer) {
    Card(Modifier.fillMaxWidth()) {
        Column(Modifier.padding(12.dp), verticalArrangement = Arrangement.spacedBy(8.dp)) {
            Row(verticalAlignment = Alignment.CenterVertically) {
                ToneLine(bar.state, bar.tone, Modifier.weight(1f))
            }
            if (bar.figures.isNotBlank()) Text(bar.figures, style = MaterialTheme.typography.bodySmall)
            bar.boxLoad?.let { Text(it, style = MaterialTheme.typography.bodySmall) }
            bar.primary?.let { OfferButton(it, onOffer) }
            OfferRow(bar.secondary, onOffer)
        }
    }
}

@Composable
private fun NoticeView(notice: Verdict) {
    Card(Modifier.fillMaxWidth()) {
        ToneLine(notice.text, notice.tone, Modifier.padding(12.dp))
    }
}

/** A section title inside a page. */
@Composable
fun SectionTitle(text: String) {
    Column {
        HorizontalDivider()
        Text(
            text,
            style = MaterialTheme.typography.titleSmall,
            modifier = Modifier.padding(top = 8.dp).semantics { heading() },
        )
    }
}
