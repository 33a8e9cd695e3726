package app.runsheet.core

import app.runsheet.ffi.*
import app.runsheet.protocol.*
import kotlinx.coroutines.runBlocking
import org.junit.After
import org.junit.Assert.assertArrayEquals
import org.junit.Assert.assertEquals
import org.junit.Assert.assertFalse
import org.junit.Assert.fail
import org.junit.Before
import org.junit.Rule
import org.junit.Test
import org.junit.rules.TemporaryFolder
import java.io.File

/** The store encrypted under the key the shell keeps, across the real FFI. */
class EncryptedStoreTest {
    @get:Rule
    val tmp = TemporaryFolder()

    private lateinit var server: TestServer

    @Before
    fun startServer() {
        server = TestServer.start(tmp.newFolder("server"))
    }

    @After
    fun stop() {
        server.close()
    }

    private fun onDisk(db: File, needle: String): Boolean =
        listOf(db, File(db.path + "-wal")).filter { it.exists() }.any { f ->
            val hay = f.readBytes()
            val n = needle.toByteArray()
            (0..hay.size - n.size).any { i -> n.indices.all { hay[i + it] == n[it] } }
        }

    @Test
    fun `the store opens with its key, keeps its data, and refuses another key`() = runBlocking {
        val token = server.createCourier("ann")
        server.assign("F1", "ann", kind = "food", customer = "Li Wei")
        val db = File(tmp.root, "ann.db")
        val key = "5a".repeat(32)
        val core = openRunsheet(RunsheetConfig(db.path, server.url, token, key))
        core.sync().now()
        core.tasks().accept("F1")
        assertEquals("Li Wei", core.tasks().task("F1").dropoff.name)
        core.close()
        assertFalse("the customer's name is readable on disk", onDisk(db, "Li Wei"))

        val again = openRunsheet(RunsheetConfig(db.path, server.url, token, key))
        assertEquals(TaskStatus.ACCEPTED, again.tasks().task("F1").status)
        assertEquals("Li Wei", again.tasks().task("F1").dropoff.name)
        again.close()

        val before = db.readBytes()
        try {
            openRunsheet(RunsheetConfig(db.path, server.url, token, "c3".repeat(32))).close()
            fail("another key opened the store")
        } catch (e: RunsheetException.WrongKey) {
            // Typed: the shell can tell a lost key from a damaged file.
        }
        assertArrayEquals("the store was changed", before, db.readBytes())
    }
}
