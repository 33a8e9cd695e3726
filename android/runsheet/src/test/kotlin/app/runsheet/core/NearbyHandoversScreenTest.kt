package app.runsheet.core

import app.runsheet.ffi.Runsheet
import app.runsheet.ffi.RunsheetConfig
import app.runsheet.ffi.ScreenSubscription
import app.runsheet.ffi.Screens
import app.runsheet.ffi.openRunsheet
import app.runsheet.gs1.ScanSymbology
import app.runsheet.protocol.HandoverReason
import app.runsheet.screens.Body
import app.runsheet.screens.Screen
import app.runsheet.screens.Tap
import kotlinx.coroutines.delay
import kotlinx.coroutines.runBlocking
import org.junit.After
import org.junit.Assert.assertEquals
import org.junit.Assert.assertTrue
import org.junit.Before
import org.junit.Rule
import org.junit.Test
import org.junit.rules.TemporaryFolder
import java.io.File

/**
 * The nearby handovers page over the real FFI against a real server, the way the Android shell
 * plays it: Ann's scooter breaks down and she asks to hand F1 over; Bob, 400 m away and on duty,
 * opens "Handovers nearby" from the offers page, sees her request (distance, bags, reason, age;
 * nothing of the customer's) and taps "Take over". The core takes it on the server and lands
 * him on the task's Handover page, where he scans every bag and the order becomes his. The
 * screen the listener's updates build stays the core's screen throughout.
 */
class NearbyHandoversScreenTest {
    @get:Rule
    val tmp = TemporaryFolder()

    private lateinit var server: TestServer
    private val opened = mutableListOf<Runsheet>()
    private val subscriptions = mutableListOf<ScreenSubscription>()

    @Before
    fun startServer() {
        server = TestServer.start(tmp.newFolder("server"))
    }

    @After
    fun stop() {
        subscriptions.forEach { it.cancel() }
        opened.forEach { it.close() }
        server.close()
    }

    private suspend fun open(name: String, token: String): Runsheet =
        openRunsheet(RunsheetConfig(File(tmp.root, "$name.db").path, server.url, token, locale = "en"))
            .also { opened.add(it) }

    /** The screen once the nearby page no longer waits for the server (the core's flag). */
    private suspend fun settled(screens: Screens): Screen {
        repeat(400) {
            val s = screens.screen()
            val busy = (s.body as? Body.NearbyHandovers)?.page?.busy ?: false
            if (!busy) return s
            delay(25)
        }
        throw AssertionError("the nearby handovers page stayed busy")
    }

    /**
     * The listener's copy once it holds `screen`. A background fetch's screen update reaches the
     * listener on the core's thread just after `screen()` can already read it, so the copy is
     * waited for (bounded) rather than read at once.
     */
    private suspend fun mirrored(mirror: ScreenMirror, screen: Screen): Screen? {
        repeat(400) {
            if (mirror.screen == screen) return mirror.screen
            delay(25)
        }
        return mirror.screen
    }

    @Test
    fun `a nearby courier opens the page, takes a request and scans every bag`() = runBlocking {
        val bags = listOf("RS1:F1:1/2:A", "RS1:F1:2/2:2")
        val ann = open("ann", server.createCourier("ann"))
        val bob = open("bob", server.createCourier("bob"))
        server.assignWithItems("F1", "ann", bags)
        ann.sync().now()
        ann.shift().start()
        ann.tasks().accept("F1")
        ann.tasks().arriveManually("F1", "food court")
        bags.forEach { ann.scans().scan("F1", it, ScanSymbology.QR_CODE) }
        ann.tasks().pickUp("F1")
        ann.handovers().request("F1", HandoverReason.VEHICLE_BREAKDOWN, "flat tyre")
        ann.sync().now()
        bob.shift().start()
        bob.sync().now()
        bob.navigation().recordLocation(30.280, 120.145, 5.0)

        val screens = bob.screens()
        val mirror = ScreenMirror()
        subscriptions.add(screens.subscribe(mirror))
        screens.tap(Tap.ShowOffers)
        val entry = (screens.screen().body as Body.Offers).page.nearbyHandovers
        assertEquals("Handovers nearby", entry.label)
        assertTrue(entry.why.toString(), entry.enabled)
        screens.tap(entry.tap)

        // The list, fetched from the server by the core: Ann's request, without her customer.
        val listed = settled(screens)
        assertEquals("Handovers nearby", listed.header.title)
        val page = (listed.body as Body.NearbyHandovers).page
        assertTrue(page.asOf!!, page.asOf!!.startsWith("As of "))
        val request = page.entries.single()
        assertEquals("F1", request.taskId)
        assertTrue(request.title, request.title.startsWith("Task F1 · ") && request.title.endsWith(" m away"))
        assertEquals("2 bags", request.bags)
        assertEquals("Reason: Vehicle breakdown", request.reason)
        assertEquals("Note: flat tyre", request.note)
        assertTrue(request.asked, request.asked.startsWith("Asked for "))
        assertTrue(page.toString(), !page.toString().contains("Customer F1"))
        assertEquals("Take over", request.take.label)
        assertTrue(request.take.why.toString(), request.take.enabled)
        assertEquals(listed, mirrored(mirror, listed))

        // Taken: the task's Handover page, incoming until every bag is scanned.
        screens.tap(request.take.tap)
        val taken = settled(screens)
        val handover = (taken.body as? Body.Handover)?.page
            ?: throw AssertionError("expected the Handover page, got ${taken.body}")
        assertEquals("F1", handover.taskId)
        assertEquals(Custody.INCOMING, handover.custody)
        assertTrue(taken.notice.toString(), taken.notice!!.text.contains("taking over task F1"))
        assertEquals("ann", server.holder("F1"))
        bags.forEach { screens.tap(Tap.ScanHandoverBag("F1", it, ScanSymbology.QR_CODE)) }
        val mine = (screens.screen().body as Body.Handover).page
        assertEquals(Custody.MINE, mine.custody)
        val now = screens.screen()
        assertEquals(now, mirrored(mirror, now))
        assertEquals(emptyList<String>(), mirror.problems.toList())
        bob.sync().now()
        assertEquals("bob", server.holder("F1"))
    }
}
