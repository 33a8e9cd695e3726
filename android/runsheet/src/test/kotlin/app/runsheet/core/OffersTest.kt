package app.runsheet.core

import app.runsheet.ffi.*
import app.runsheet.protocol.*
import kotlinx.coroutines.runBlocking
import org.junit.After
import org.junit.Assert.assertEquals
import org.junit.Assert.assertFalse
import org.junit.Assert.assertTrue
import org.junit.Assert.fail
import org.junit.Before
import org.junit.Rule
import org.junit.Test
import org.junit.rules.TemporaryFolder
import java.io.File

/**
 * Offers over the real FFI against a real server: dispatch offers a stack of two tasks, the
 * phone shows the time left and what accepting would do to the plan, and the acceptance makes
 * them the courier's; a declined offer keeps its reason in the platform's figures; an
 * acceptance made offline that reaches the server after the expiry is refused, the courier is
 * told, and the task is not added; an offer dispatch withdraws leaves the phone (the sync event
 * names it once), and an acceptance queued for it offline is refused `offer_withdrawn`.
 */
class OffersTest {
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
    fun `a stack is offered, its impact shown, and accepting makes it the courier's`() = runBlocking {
        val token = server.createCourier("ola")
        server.createOpen("S1", lat = 30.27)
        server.createOpen("S2", lat = 30.26)
        val id = server.offer("ola", listOf("S1", "S2"), expiresInS = 300)
        val core = open("ola", token)
        core.sync().now()

        val offers = core.offers().list()
        assertEquals(1, offers.size)
        val offer = offers[0]
        assertEquals(id, offer.offerId)
        assertEquals(OfferState.OPEN, offer.state)
        assertEquals(listOf("S1", "S2"), offer.tasks.map { it.taskId })
        assertTrue("${offer.remainingS}", offer.remainingS in 1..300)
        // The customer's name is not sent before the offer is accepted.
        assertEquals("", offer.tasks[0].dropoff.name)
        // With nothing planned, the stack is the whole plan: its time and distance are added.
        val impact = core.offers().impact(id)
        assertTrue(impact.plannable)
        assertTrue("${impact.extraSeconds}", impact.extraSeconds > 0)
        assertTrue("${impact.extraMetres}", impact.extraMetres > 0)
        assertEquals(null, impact.overflowsBox)
        assertTrue(core.tasks().all().isEmpty())

        core.offers().accept(id)
        assertEquals(OfferState.ACCEPT_SENT, core.offers().get(id).state)
        try {
            core.offers().accept(id)
            fail("an offer was accepted twice")
        } catch (e: RunsheetException.OfferAnswered) {
            assertEquals("Offer $id has already been answered.", e.message)
        }
        core.sync().now()
        assertEquals("accepted", server.offerStatus(id))
        val tasks = core.tasks().all()
        assertEquals(setOf("S1", "S2"), tasks.map { it.id }.toSet())
        assertTrue(tasks.all { it.status == TaskStatus.ACCEPTED })
        assertEquals("Customer S1", tasks.first { it.id == "S1" }.dropoff.name)
        assertEquals(OfferState.ACCEPTED, core.offers().get(id).state)
    }

    @Test
    fun `a declined offer counts its reason, and a late acceptance made offline is refused`() = runBlocking {
        val token = server.createCourier("pat")
        server.createOpen("D1")
        server.createOpen("L1")
        val declined = server.offer("pat", listOf("D1"), expiresInS = 300)
        val late = server.offer("pat", listOf("L1"), expiresInS = 5)
        val core = open("pat", token)
        core.sync().now()
        assertEquals(2, core.offers().list().size)

        core.offers().decline(declined, DeclineReason.BOX_FULL, null)
        assertEquals(OfferState.DECLINE_SENT, core.offers().get(declined).state)

        // Accepted on the phone in time, but the phone stays offline past the expiry.
        core.offers().accept(late)
        Thread.sleep(6_500)
        val report = core.sync().now()
        assertEquals(1UL, report.rejected)
        assertEquals("declined", server.offerStatus(declined))
        assertEquals("expired", server.offerStatus(late))
        val refused = core.offers().get(late)
        assertEquals(OfferState.REFUSED, refused.state)
        assertEquals("offer_expired", core.sync().rejections().single().code)
        // Nothing was added.
        assertTrue(core.tasks().all().isEmpty())
        assertFalse(server.offerFigures().contains("\"acceptance_rate\":null"))
        assertTrue(server.offerFigures(), server.offerFigures().contains("\"reason\":\"box_full\",\"count\":1"))
        try {
            core.offers().accept(late)
            fail("a refused offer was accepted again")
        } catch (e: RunsheetException.OfferAnswered) {
            assertEquals("Offer $late has already been answered.", e.message)
        }
    }

    @Test
    fun `a withdrawn offer is told once, and an acceptance queued for one is refused offer_withdrawn`() = runBlocking {
        val token = server.createCourier("wes")
        server.createOpen("W1")
        server.createOpen("W2")
        val gone = server.offer("wes", listOf("W1"), expiresInS = 300)
        val accepted = server.offer("wes", listOf("W2"), expiresInS = 300)
        val core = open("wes", token)
        val events = RecordingSyncListener()
        core.sync().subscribe(events).also { sub ->
            core.sync().now()
            // W2 accepted on the phone, not yet sent; both withdrawn by dispatch meanwhile.
            core.offers().accept(accepted)
            assertEquals(200, server.withdrawOffer(gone, "customer changed the order").first)
            assertEquals(200, server.withdrawOffer(accepted, "a nearer courier").first)
            val again = server.withdrawOffer(gone, "twice")
            assertEquals(409, again.first)
            assertTrue(again.second, again.second.contains("offer_not_open"))
            val report = core.sync().now()
            assertEquals(1UL, report.rejected)
            assertEquals(listOf(gone), report.withdrawnOffers)
            assertEquals(listOf(gone), events.events.last().withdrawnOffers)
            assertEquals("offer_withdrawn", events.events.last().newRejections.single().code)
            // Told once: the next sync names nothing.
            core.sync().now()
            assertTrue(events.events.last().withdrawnOffers.isEmpty())
            sub.cancel()
        }
        assertEquals(OfferState.WITHDRAWN, core.offers().get(gone).state)
        val refused = core.offers().get(accepted)
        assertEquals(OfferState.REFUSED, refused.state)
        assertEquals("offer_withdrawn", refused.refusalCode)
        assertEquals("withdrawn", server.offerStatus(accepted))
        assertTrue(core.tasks().all().isEmpty())
        assertTrue(server.offerFigures(), server.offerFigures().contains("\"withdrawn\":2"))
    }
}
