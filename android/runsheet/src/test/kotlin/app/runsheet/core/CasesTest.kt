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
 * After-sales over the real FFI against a real server: dispatch opens a complaint about a
 * delivery and asks the courier; the phone pulls it, the courier answers (the core attaches the
 * task's evidence), the server records the statement, and a settled case takes no more.
 */
class CasesTest {
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
    fun `a courier answers a complaint about their delivery over the FFI`() = runBlocking {
        val token = server.createCourier("cat")
        server.assign("P1", "cat")
        val core = open("cat", token)
        core.sync().now()
        core.shift().start()
        core.tasks().accept("P1")
        core.tasks().arriveManually("P1", "gate")
        core.tasks().markDelivered("P1")
        core.sync().now()
        assertTrue(core.cases().list().isEmpty())

        val id = server.openCase("P1", "late", "It came 40 minutes late")
        server.caseStep(id, """{"step":"ask_courier","note":"What happened?"}""")
        core.sync().now()
        val cases = core.cases().list()
        assertEquals(1, cases.size)
        assertEquals(id, cases[0].doc.id)
        assertEquals(CaseKind.LATE, cases[0].doc.kind)
        assertEquals(CaseStatus.WAITING_FOR_COURIER, cases[0].doc.status)
        assertTrue(cases[0].canAnswer)

        // An empty statement is refused with a sentence; a real one is queued and shown.
        try {
            core.cases().answer(id, "  ")
            fail("an empty statement was accepted")
        } catch (e: RunsheetException.Blocked) {
            assertTrue(e.toString(), e.message!!.contains("give a reason"))
        }
        core.cases().answer(id, "Road closed; I called the customer.")
        val pending = core.cases().get(id)
        assertTrue(pending.answerPending)
        assertEquals("Road closed; I called the customer.", pending.doc.courierStatement)
        assertEquals(1UL, core.sync().status().pending)

        // The server records it; the phone shows the server's document.
        core.sync().now()
        assertEquals("Road closed; I called the customer.", server.caseStatement(id))
        core.sync().now()
        assertFalse(core.cases().get(id).answerPending)

        // Settled: no statement is taken any more, and the error says so.
        server.caseStep(id, """{"step":"reject","note":"The customer was told the delay."}""")
        core.sync().now()
        assertFalse(core.cases().get(id).canAnswer)
        try {
            core.cases().answer(id, "One more thing")
            fail("a statement on a settled case was accepted")
        } catch (e: RunsheetException.CaseSettled) {
            assertEquals("Case $id is rejected: it takes no statement any more.", e.message)
        }
        try {
            core.cases().get(id + 100)
            fail("an unknown case was found")
        } catch (e: RunsheetException.CaseNotFound) {
            assertEquals("Case ${id + 100} is not on this phone.", e.message)
        }
    }
}
