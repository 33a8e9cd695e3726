package app.runsheet.core

import app.runsheet.ffi.*
import app.runsheet.gs1.ScanSymbology
import app.runsheet.protocol.*
import kotlinx.coroutines.runBlocking
import org.junit.After
import org.junit.Assert.assertEquals
import org.junit.Assert.assertNull
import org.junit.Assert.assertTrue
import org.junit.Assert.fail
import org.junit.Before
import org.junit.Rule
import org.junit.Test
import org.junit.rules.TemporaryFolder
import java.io.File

/**
 * Box capacity over the real FFI against a real server: dispatch sets the courier's scooter
 * (a box of 10 units), the phone receives it with the pull, the load of the goods on board
 * counts the bags' sizes, and a pickup that would overflow the box is refused with the
 * sentence the courier reads; a negative box is refused by the server and changes nothing.
 */
class CapacityTest {
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
    fun `a pickup that would overflow the box is refused with its reason`() = runBlocking {
        val token = server.createCourier("kai")
        assertEquals(200, server.setVehicle("kai", """{"kind":"scooter","box_units":10,"chilled_units":2}"""))
        // A negative box is refused whole: the phone still gets the scooter of 10.
        assertEquals(422, server.setVehicle("kai", """{"kind":"scooter","box_units":-1}"""))
        server.assignSized("F1", "kai", "RS1:F1:1/1:C", 6)
        server.assignSized("F2", "kai", "RS1:F2:1/1:H", 5)
        val core = open("kai", token)
        assertNull(core.capacity().vehicle())
        core.sync().now()
        val vehicle = core.capacity().vehicle()!!
        assertEquals(VehicleKind.SCOOTER, vehicle.kind)
        assertEquals(10L, vehicle.boxUnits)
        assertEquals(1L, vehicle.version)

        for (id in listOf("F1", "F2")) {
            core.tasks().accept(id)
            core.tasks().arriveManually(id, "at the counter")
        }
        core.scans().scan("F1", "RS1:F1:1/1:C", ScanSymbology.QR_CODE)
        core.tasks().pickUp("F1")
        assertEquals(Load(boxUnits = 6L, chilledUnits = 0L), core.capacity().boxState().load)
        val bag = Item(code = "X", name = "bag", temperature = TemperatureClass.AMBIENT, quantity = 1u, restricted = null, size = 5L)
        assertEquals(Overflow(Compartment.BOX, 11L, 10L), core.capacity().overflowWith(listOf(bag)))

        core.scans().scan("F2", "RS1:F2:1/1:H", ScanSymbology.QR_CODE)
        val pending = core.sync().status().pending
        try {
            core.tasks().pickUp("F2")
            fail("a pickup overflowing the box was accepted")
        } catch (e: RunsheetException.Blocked) {
            assertTrue(e.toString(), e.message!!.contains("the box is full: 11 units with this pickup, room for 10"))
        }
        assertEquals(pending, core.sync().status().pending)
        assertTrue(core.tasks().nextAction("F2")!!.blockers.any { it is Blocker.BoxFull })

        // F1 delivered: the box is empty and F2 fits.
        core.tasks().arriveManually("F1", "at the door")
        core.scans().scan("F1", "RS1:F1:1/1:C", ScanSymbology.QR_CODE)
        core.tasks().markDelivered("F1")
        core.tasks().pickUp("F2")
        assertEquals(5L, core.capacity().boxState().load.boxUnits)
        core.sync().now()
        assertEquals("picked_up", server.status("F2"))
    }
}
