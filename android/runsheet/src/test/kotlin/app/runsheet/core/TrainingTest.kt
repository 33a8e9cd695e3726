package app.runsheet.core

import app.runsheet.ffi.*
import app.runsheet.protocol.*
import app.runsheet.screens.Channel
import app.runsheet.screens.Effect
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
 * Training over the real FFI against a real server: dispatch publishes the cold-chain module;
 * a chilled order is withheld from the courier until they pass its quiz (taken on the phone,
 * graded there with the server's function, queued, graded again by the server); answers for a
 * replaced version are refused with a typed error and nothing recorded; a qualification about
 * to expire is notified once through the screens, and tapping the notification opens the
 * training page.
 */
class TrainingTest {
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

    private fun module(title: String) =
        """{"id":"cold-chain","title":"$title","pass_mark_pct":50,""" +
            """"pages":[{"text":"Chilled goods stay at 0 to 4 °C."}],""" +
            """"quiz":[{"id":"q1","text":"Chilled goods are kept at","choices":["0 to 4 °C","8 to 12 °C"],"correct":0},""" +
            """{"id":"q2","text":"Frozen goods are kept at","choices":["-5 °C","-18 °C or colder"],"correct":1}],""" +
            """"required_for_goods":["chilled","frozen"],"validity_months":12}"""

    @Test
    fun `a chilled order waits for the cold-chain pass taken on the phone`() = runBlocking {
        val token = server.createCourier("dan")
        server.publishTraining(module("Cold chain"))
        val refused = server.tryAssignChilled("C1", "dan")
        assertEquals(409, refused.first)
        assertTrue(refused.second, refused.second.contains("\"not_qualified\""))
        assertTrue(refused.second, refused.second.contains("\"qualification\":\"cold-chain\""))

        val core = open("dan", token)
        core.sync().now()
        val modules = core.training().modules()
        assertEquals(1, modules.size)
        assertEquals(TrainingState.NOT_TAKEN, modules[0].state)
        assertEquals(listOf(TemperatureClass.CHILLED, TemperatureClass.FROZEN), modules[0].module.requiredForGoods)

        // A fail, then a pass: graded on the phone, queued, recorded by the server.
        val fail = core.training().takeQuiz("cold-chain", 1L, listOf(1u, 0u))
        assertEquals(false, fail.passed)
        val pass = core.training().takeQuiz("cold-chain", 1L, listOf(0u, 1u))
        assertEquals(2u, pass.correct)
        assertTrue(pass.passed)
        assertEquals(TrainingState.PASSED_AWAITING_SYNC, core.training().module("cold-chain").state)
        assertEquals(2UL, core.sync().status().pending)
        core.sync().now()
        assertEquals(listOf("cold-chain"), server.qualifications("dan"))
        core.sync().now()
        val qualified = core.training().module("cold-chain")
        assertEquals(TrainingState.QUALIFIED, qualified.state)
        val q = core.training().qualifications().single()
        assertTrue(q.expiresAt!! > q.passedAt + 360L * 86_400)
        assertEquals(201, server.tryAssignChilled("C1", "dan").first)

        // Version 2 replaces the module: answers to version 1 are refused on the phone.
        server.publishTraining(module("Cold chain (2027)"))
        core.sync().now()
        try {
            core.training().takeQuiz("cold-chain", 1L, listOf(0u, 1u))
            fail("answers to a replaced version were accepted")
        } catch (e: RunsheetException.ModuleReplaced) {
            assertTrue(e.message!!, e.message!!.contains("version 2"))
        }
        assertEquals(0UL, core.sync().status().pending)
        try {
            core.training().module("first-aid")
            fail("an unknown module was found")
        } catch (e: RunsheetException.ModuleNotFound) {
            assertEquals("This training module is not on this phone.", e.message)
        }
    }

    @Test
    fun `a qualification about to expire is notified once, and its notification opens the training page`() = runBlocking {
        val token = server.createCourier("eve")
        server.publishTraining(module("Cold chain"))
        val clock = ManualClock(System.currentTimeMillis() / 1000)
        val core = openRunsheet(
            RunsheetConfig(File(tmp.root, "eve.db").path, server.url, token, locale = "en"),
            clock,
        ).also { opened.add(it) }
        core.sync().now()
        core.training().takeQuiz("cold-chain", 1L, listOf(0u, 1u))
        core.sync().now()
        core.sync().now()
        val expiresAt = core.training().qualifications().single().expiresAt!!

        val screens = core.screens()
        val mirror = ScreenMirror()
        val subscription = screens.subscribe(mirror)
        // The phone's clock 13 days before the expiry: one reminder, not repeated.
        clock.now.set(expiresAt - 13L * 86_400)
        screens.refresh()
        screens.refresh()
        val reminders = mirror.effects.filterIsInstance<Effect.Notify>().filter { it.channel == Channel.TRAINING }
        assertEquals(1, reminders.size)
        val reminder = reminders.single()
        assertEquals("qualification-cold-chain-soon", reminder.id)
        assertEquals("Qualification expiring", reminder.title)
        assertTrue(reminder.body, reminder.body.contains("\"Cold chain\" qualification expires on"))

        // Tapped: the core opens the training page.
        screens.openNotification(reminder.id)
        assertEquals("Training and qualifications", screens.screen().header.title)
        subscription.cancel()
    }
}
