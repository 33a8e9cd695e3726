package app.runsheet.core

import app.runsheet.ffi.*
import app.runsheet.protocol.*
import kotlinx.coroutines.runBlocking
import org.junit.After
import org.junit.Assert.assertEquals
import org.junit.Assert.assertTrue
import org.junit.Assert.fail
import org.junit.Before
import org.junit.Rule
import org.junit.Test
import org.junit.rules.TemporaryFolder
import java.io.File

/**
 * Earnings over the real FFI against a real server: a delivery made offline is paid as
 * expected (the phone's own pay function), the sync brings the server's confirmed lines with
 * the same amounts, an incentive programme met shows its bonus, a tip with too many decimals is
 * refused while a good one arrives, an expected line cannot be appealed and a confirmed one is.
 */
class EarningsTest {
    @get:Rule
    val tmp = TemporaryFolder()

    private lateinit var server: TestServer
    private val opened = mutableListOf<Runsheet>()

    @Before
    fun startServer() {
        server = TestServer.start(tmp.newFolder("server"))
    }

    @After
    fun stop() {
        opened.forEach { it.close() }
        server.close()
    }

    private suspend fun open(name: String, token: String): Runsheet =
        openRunsheet(RunsheetConfig(File(tmp.root, "$name.db").path, server.url, token, locale = "en"))
            .also { opened.add(it) }

    @Test
    fun `pay is expected offline, confirmed by the server, and appealed over the FFI`() = runBlocking {
        // No peak windows (the wall clock decides nothing here); one delivery a week earns 10.00.
        server.publishSettings(
            """{"utc_offset_min":480,"kpi_targets":{"peak_windows":[]},""" +
                """"pay":{"incentives":[{"id":"first","target_deliveries":1,"min_on_time_bp":0,"bonus_minor":1000}]}}""",
        )
        val token = server.createCourier("dan")
        server.assign("P1", "dan")
        val core = open("dan", token)
        core.sync().now()
        core.shift().start()
        core.tasks().accept("P1")
        core.tasks().arriveManually("P1", "gate")
        core.tasks().markDelivered("P1")

        // Offline: the parcel's base pay and the week's bonus, both expected.
        val offline = core.earnings().statement(EarningsPeriod.DAY, null)
        assertEquals(
            listOf(
                Triple("pay:P1:base", 300L, PayLineState.EXPECTED),
                Triple(offline.lines.last().line.id, 1000L, PayLineState.EXPECTED),
            ),
            offline.lines.map { Triple(it.line.id, it.line.amount.minor, it.state) },
        )
        assertEquals(PayLineKind.BONUS, offline.lines.last().line.kind)
        assertEquals(Money(1300L, "CNY"), offline.expected)
        assertEquals(0L, offline.confirmed.minor)
        assertTrue(offline.incentives.single().met)
        try {
            core.earnings().appeal("pay:P1:base", "too little")
            fail("an expected line was appealed")
        } catch (e: RunsheetException.Blocked) {
            assertTrue(e.toString(), e.message!!.contains("still expected"))
        }

        // The server's lines replace them: the same ids and amounts, confirmed.
        core.sync().now()
        val confirmed = core.earnings().statement(EarningsPeriod.WEEK, null)
        assertEquals(
            offline.lines.map { it.line.id to it.line.amount.minor },
            confirmed.lines.map { it.line.id to it.line.amount.minor },
        )
        assertTrue(confirmed.lines.all { it.state == PayLineState.CONFIRMED })
        assertEquals(Money(1300L, "CNY"), confirmed.total)

        // A tip with more decimals than the yuan has is refused; a good one arrives.
        assertEquals(422, server.addEarning("T1", "P1", "tip", "5.555"))
        assertEquals(201, server.addEarning("T1", "P1", "tip", "5.5"))
        core.sync().now()
        val tipped = core.earnings().statement(EarningsPeriod.DAY, null)
        val tip = tipped.lines.single { it.line.kind == PayLineKind.TIP }
        assertEquals(Money(550L, "CNY"), tip.line.amount)
        assertEquals(1850L, tipped.total.minor)

        // A confirmed line is appealed through the outbox and the decision comes back.
        core.earnings().appeal("pay:P1:base", "the parcel weighed 20 kg")
        val pending = core.earnings().statement(EarningsPeriod.DAY, null).lines.single { it.line.id == "pay:P1:base" }
        assertEquals(AppealStatus.PENDING, pending.line.appeal)
        core.sync().now()
        server.decidePayAppeal("pay:P1:base", false)
        // The decision reaches the sync listener once (the screens notify it, as a rating's).
        val events = RecordingSyncListener()
        val sub = core.sync().subscribe(events)
        val report = core.sync().now()
        assertEquals(listOf("pay:P1:base"), report.decidedPayAppeals)
        val told = events.events.last().decidedPayAppeals.single()
        assertEquals("pay:P1:base" to AppealStatus.REJECTED, told.id to told.appeal)
        core.sync().now()
        assertTrue(events.events.last().decidedPayAppeals.isEmpty())
        sub.cancel()
        val decided = core.earnings().statement(EarningsPeriod.DAY, null).lines.single { it.line.id == "pay:P1:base" }
        assertEquals(AppealStatus.REJECTED, decided.line.appeal)
    }
}
