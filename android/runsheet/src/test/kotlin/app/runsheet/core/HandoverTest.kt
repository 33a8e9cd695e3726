package app.runsheet.core

import app.runsheet.ffi.*
import app.runsheet.gs1.ScanSymbology
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
 * A handover between couriers over the real FFI against a real server: Ann asks to hand her
 * task over (a reason is required), dispatch names Bob (never Ann herself, never a courier off
 * duty), Bob scans every bag, and only then is the task his; Ann's phone then shows it handed
 * over, and Bob's evidence bundle carries the chain of custody.
 */
class HandoverTest {
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
    fun `a task is handed over bag by bag over the FFI`() = runBlocking {
        val bags = listOf("RS1:F1:1/2:A", "RS1:F1:2/2:2")
        val ann = open("ann", server.createCourier("ann"))
        val bob = open("bob", server.createCourier("bob"))
        server.createCourier("cat")
        server.assignWithItems("F1", "ann", bags)
        ann.sync().now()
        ann.shift().start()
        ann.tasks().accept("F1")
        ann.tasks().arriveManually("F1", "food court")
        bags.forEach { ann.scans().scan("F1", it, ScanSymbology.QR_CODE) }
        ann.tasks().pickUp("F1")

        // "Other" needs a note; a reason from the list does not.
        try {
            ann.handovers().request("F1", HandoverReason.OTHER, null)
            fail("a handover for another reason was asked for without a note")
        } catch (e: RunsheetException.Blocked) {
            assertTrue(e.message!!, e.message!!.contains("reason"))
        }
        ann.handovers().request("F1", HandoverReason.VEHICLE_BREAKDOWN, "flat tyre")
        val asked = ann.handovers().get("F1")
        assertTrue(asked.pending)
        assertEquals(HandoverStatus.REQUESTED, asked.handover!!.status)
        try {
            ann.handovers().request("F1", HandoverReason.OVERLOAD, null)
            fail("a second handover was asked for")
        } catch (e: RunsheetException.Blocked) {
            assertTrue(e.message!!, e.message!!.contains("already asked for"))
        }
        ann.sync().now()
        bob.shift().start()
        bob.sync().now()

        // Dispatch names the receiver: never the giver, never a courier off duty.
        assertEquals(409 to "handover_to_self", server.assignHandover("F1", "ann"))
        assertEquals(409 to "courier_off_duty", server.assignHandover("F1", "cat"))
        assertEquals(200 to "", server.assignHandover("F1", "bob"))
        bob.sync().now()
        ann.sync().now()
        assertEquals("ann", server.holder("F1"))
        val incoming = bob.handovers().get("F1")
        assertEquals(Custody.INCOMING, incoming.custody)
        assertEquals(2u, incoming.expected)
        assertEquals(HandoverSide.RECEIVER, incoming.handover!!.side)
        try {
            bob.tasks().arriveManually("F1", "gate")
            fail("the receiver worked a task whose goods are still with the giver")
        } catch (e: RunsheetException.Blocked) {
            assertTrue(e.message!!, e.message!!.contains("scan every bag"))
        }

        // Bag by bag: a verdict per scan; the last bag passes custody.
        val first = bob.handovers().scanBag("F1", bags[0], ScanSymbology.QR_CODE)
        assertTrue(first.outcome is ScanOutcome.Confirmed)
        assertEquals(Custody.INCOMING, first.progress.custody)
        val foreign = bob.handovers().scanBag("F1", "RS1:F2:1/1:H", ScanSymbology.QR_CODE)
        assertEquals(ScanOutcome.NotMine, foreign.outcome)
        bob.sync().now()
        assertEquals("ann", server.holder("F1"))
        val last = bob.handovers().scanBag("F1", bags[1], ScanSymbology.QR_CODE)
        assertTrue(last.outcome is ScanOutcome.Confirmed)
        assertEquals(Custody.MINE, last.progress.custody)
        bob.sync().now()
        assertEquals("bob", server.holder("F1"))

        // The giver's phone: handed over, nothing left to do, the shift can end.
        ann.sync().now()
        assertEquals(Custody.HANDED_OVER, ann.tasks().task("F1").custody)
        assertEquals(null, ann.tasks().nextAction("F1"))
        ann.shift().end()

        // The receiver delivers; the bundle carries the chain of custody.
        bob.tasks().arriveManually("F1", "lobby")
        bags.forEach { bob.scans().scan("F1", it, ScanSymbology.QR_CODE) }
        bob.tasks().markDelivered("F1")
        bob.sync().now()
        assertEquals("delivered", server.status("F1"))
        val custody = bob.tasks().evidenceBundle("F1").custody
        assertEquals(1, custody.size)
        assertEquals("ann", custody[0].fromCourier)
        assertEquals("bob", custody[0].toCourier)
        assertEquals(HandoverStatus.COMPLETED, custody[0].status)
        assertEquals(bags.sorted(), custody[0].bags.sorted())
        assertTrue(server.mutations("ann").any { it.action == "request_handover" && it.outcome == "applied" })
        assertTrue(server.mutations("bob").any { it.action == "receive_handover" && it.outcome == "applied" })
    }

    @Test
    fun `a nearby courier lists an open request and takes it over the FFI`() = runBlocking {
        val bags = listOf("RS1:F1:1/2:A", "RS1:F1:2/2:2")
        val ann = open("ann", server.createCourier("ann"))
        val bob = open("bob", server.createCourier("bob"))
        val cat = open("cat", server.createCourier("cat"))
        server.assignWithItems("F1", "ann", bags)
        ann.sync().now()
        ann.shift().start()
        ann.tasks().accept("F1")
        ann.tasks().arriveManually("F1", "food court")
        bags.forEach { ann.scans().scan("F1", it, ScanSymbology.QR_CODE) }
        ann.tasks().pickUp("F1")
        ann.handovers().request("F1", HandoverReason.VEHICLE_BREAKDOWN, null)
        ann.sync().now()
        bob.shift().start()

        // Bob, about 400 m from the pickup, sees the request; 3.5 km away he sees nothing.
        val near = bob.handovers().nearby(30.280, 120.145)
        assertEquals(listOf("F1"), near.map { it.taskId })
        assertEquals(2u, near[0].bags)
        assertEquals(HandoverReason.VEHICLE_BREAKDOWN, near[0].reason)
        assertTrue(near[0].distanceM in 300u..500u)
        assertTrue(bob.handovers().nearby(30.310, 120.141).isEmpty())
        assertTrue(ann.handovers().nearby(30.279, 120.141).isEmpty())
        try {
            bob.handovers().nearby(91.0, 0.0)
            fail("a position off the globe was accepted")
        } catch (e: RunsheetException.InvalidArgument) {
        }

        // Never one's own, never off duty: typed refusals told in words.
        try {
            ann.handovers().take("F1")
            fail("the giver took her own handover")
        } catch (e: RunsheetException.SyncFailed) {
            assertTrue(e.message!!, e.message!!.contains("your own handover request"))
        }
        try {
            cat.handovers().take("F1")
            fail("a courier off duty took a handover")
        } catch (e: RunsheetException.SyncFailed) {
            assertTrue(e.message!!, e.message!!.contains("not on duty"))
        }

        // Bob takes it: incoming on his phone, still Ann's until every bag is scanned.
        bob.handovers().take("F1")
        assertEquals(Custody.INCOMING, bob.handovers().get("F1").custody)
        assertEquals("ann", server.holder("F1"))
        bags.forEach { bob.handovers().scanBag("F1", it, ScanSymbology.QR_CODE) }
        bob.sync().now()
        assertEquals("bob", server.holder("F1"))
    }
}
