package app.runsheet.core

import app.runsheet.ffi.*
import app.runsheet.protocol.*
import kotlinx.coroutines.runBlocking
import org.junit.After
import org.junit.Assert.assertEquals
import org.junit.Assert.assertFalse
import org.junit.Assert.assertNull
import org.junit.Assert.assertTrue
import org.junit.Assert.fail
import org.junit.Before
import org.junit.Rule
import org.junit.Test
import org.junit.rules.TemporaryFolder
import java.io.File

/**
 * At the door over the real FFI against a real server: cash on delivery (an amount with three
 * decimals refused with its reason, a discrepancy needing a reason, the hand-in reconciled short
 * on the server), a locker drop-off (another locker's label refused, the compartment kept as the
 * proof) and an age check refused (the delivery fails; the check holds no number or birth date).
 */
class DoorTest {
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
    fun `cash is collected, handed in short and reconciled on the server`() = runBlocking {
        val token = server.createCourier("dee")
        server.assignAtTheDoor("C1", "dee", cashMinor = 4550)
        val core = open("dee", token)
        core.sync().now()
        core.shift().start()
        core.tasks().accept("C1")
        core.tasks().arriveManually("C1", "gate")
        assertEquals(Money(4550, "CNY"), core.tasks().task("C1").cashDue)

        try {
            core.door().collectCash("C1", "50.005", "", null)
            fail("three decimals of yuan were accepted")
        } catch (e: RunsheetException.InvalidAmount) {
            assertEquals(
                "The amount cannot be recorded: CNY allows at most 2 decimals. Nothing was recorded.",
                e.message,
            )
        }
        assertNull(core.door().cashCollection("C1"))
        try {
            core.door().collectCash("C1", "50", "5", null)
            fail("a discrepancy without a reason was accepted")
        } catch (e: RunsheetException.Blocked) {
            assertTrue(e.toString(), e.message!!.contains("give the reason"))
        }
        core.door().collectCash("C1", "50", "5", "no coins")
        core.tasks().markDelivered("C1")
        assertEquals(listOf(Money(4500, "CNY")), core.door().cashHeld())

        try {
            core.shift().end()
            fail("the shift ended with cash held")
        } catch (e: RunsheetException.Blocked) {
            assertTrue(e.toString(), e.message!!.contains("hand it in first"))
        }
        val receipt = core.door().handInCash("40")
        assertEquals(CashBalance.SHORT, receipt.balance)
        assertTrue(core.door().cashHeld().isEmpty())
        core.shift().end()
        core.sync().now()
        assertEquals(listOf("short"), server.cashBalances("dee"))
        assertTrue(server.afterSalesKinds().contains("cash_discrepancy"))
    }

    @Test
    fun `a locker drop-off is proven by its label and compartment`() = runBlocking {
        val token = server.createCourier("eve")
        server.assignAtTheDoor("L1", "eve", lockerCode = "LOCKER-7")
        val core = open("eve", token)
        core.sync().now()
        core.tasks().accept("L1")
        core.tasks().arriveManually("L1", "station")
        try {
            core.door().lockerDrop("L1", "LOCKER-8", "B07")
            fail("another locker's label was accepted")
        } catch (e: RunsheetException.WrongLocker) {
            assertTrue(e.toString(), e.message!!.contains("not the label of task L1's locker"))
        }
        try {
            core.tasks().markDelivered("L1")
            fail("a locker delivery without the scan was accepted")
        } catch (e: RunsheetException.Blocked) {
            assertTrue(e.toString(), e.message!!.contains("compartment"))
        }
        core.door().lockerDrop("L1", "LOCKER-7", "B07")
        assertEquals("B07", core.door().lockerDropOf("L1")!!.compartment)
        core.tasks().markDelivered("L1")
        core.sync().now()
        assertEquals("delivered", server.status("L1"))
        assertEquals("B07", server.lockerCompartment("L1"))
    }

    @Test
    fun `a refused age check fails the delivery`() = runBlocking {
        val token = server.createCourier("fay")
        server.publishChecklist(
            """{"id":"dropoff","stage":"dropoff","items":[{"id":"age","label":"Age check","kind":{"type":"id_check"}}]}""",
        )
        server.assign("A1", "fay")
        val core = open("fay", token)
        core.sync().now()
        core.tasks().accept("A1")
        core.tasks().arriveManually("A1", "gate")
        val within = core.checklists().answer(
            "A1",
            ChecklistStage.DROPOFF,
            "age",
            ChecklistAnswer.IdCheck(IdCheckResult(IdDocument.ID_CARD, IdCheckOutcome.UNDERAGE)),
        )
        assertFalse(within)
        assertEquals(TaskStatus.FAILED, core.tasks().task("A1").status)
        core.sync().now()
        assertEquals("failed", server.status("A1"))
        assertTrue(server.afterSalesKinds().contains("exception:id_check_refused"))
    }
}
