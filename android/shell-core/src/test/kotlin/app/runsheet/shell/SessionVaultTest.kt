package app.runsheet.shell

import org.junit.Assert.assertEquals
import org.junit.Assert.assertFalse
import org.junit.Assert.assertNotEquals
import org.junit.Assert.assertNull
import org.junit.Assert.assertTrue
import org.junit.Assert.fail
import org.junit.Rule
import org.junit.Test
import org.junit.rules.TemporaryFolder
import java.io.File
import javax.crypto.KeyGenerator
import javax.crypto.SecretKey

/**
 * The session across process death: what one process keeps, a new process (a new vault over
 * the same folder, as after Android killed the app) restores before opening the core.
 */
class SessionVaultTest {
    @get:Rule
    val tmp = TemporaryFolder()

    private fun newKey(): SecretKey = KeyGenerator.getInstance("AES").apply { init(256) }.generateKey()

    @Test
    fun aSignedInSessionIsRestoredByTheNextProcess() {
        val dir = tmp.newFolder("secrets")
        val key = newKey()
        val first = SessionVault(dir, AesGcmSealer { key })
        val before = first.restore()
        assertNull("no sign-in yet: the screens ask for it", before.token)
        assertEquals(64, before.databaseKey.length)
        first.keepToken("courier-token-1")

        val afterDeath = SessionVault(dir, AesGcmSealer { key }).restore()
        assertEquals("courier-token-1", afterDeath.token)
        assertEquals("the store key is made once and kept", before.databaseKey, afterDeath.databaseKey)
    }

    @Test
    fun secretsAreSealedOnDisk() {
        val dir = tmp.newFolder("secrets")
        val key = newKey()
        SessionVault(dir, AesGcmSealer { key }).keepToken("courier-token-2")
        val onDisk = dir.listFiles().orEmpty().map { it.readBytes().toString(Charsets.ISO_8859_1) }
        assertTrue(onDisk.isNotEmpty())
        assertFalse(onDisk.any { it.contains("courier-token-2") })
        assertTrue("no temporary file left behind", dir.listFiles().orEmpty().none { it.name.endsWith(".tmp") })
    }

    @Test
    fun authRequiredForgetsOnlyTheToken() {
        val dir = tmp.newFolder("secrets")
        val key = newKey()
        val vault = SessionVault(dir, AesGcmSealer { key })
        val storeKey = vault.databaseKey()
        vault.keepToken("expired")
        vault.forgetToken()
        val restored = SessionVault(dir, AesGcmSealer { key }).restore()
        assertNull(restored.token)
        assertEquals("the store (and its saved actions) stays readable", storeKey, restored.databaseKey)
    }

    @Test
    fun aLostKeystoreKeyAsksForSignInButNeverReplacesTheStoreKey() {
        val dir = tmp.newFolder("secrets")
        val vault = SessionVault(dir, AesGcmSealer(::newKeyOnce))
        vault.databaseKey()
        vault.keepToken("token")
        // A reinstall or a lock-screen reset: the Keystore key is a different one now.
        val other = newKey()
        val afterReset = SessionVault(dir, AesGcmSealer { other })
        assertNull("the token reads as none: sign in again", afterReset.token())
        try {
            afterReset.databaseKey()
            fail("an unreadable store key must be reported, not replaced")
        } catch (e: StoreKeyLost) {
            assertTrue(File(dir, "database-key").exists())
        }
    }

    @Test
    fun aDamagedTokenFileReadsAsSignedOut() {
        val dir = tmp.newFolder("secrets")
        val key = newKey()
        val vault = SessionVault(dir, AesGcmSealer { key })
        vault.keepToken("token")
        File(dir, "session-token").writeBytes(byteArrayOf(1, 2, 3))
        assertNull(vault.token())
        vault.keepToken("token-2")
        assertEquals("token-2", vault.token())
    }

    @Test
    fun eachSealUsesItsOwnIv() {
        val key = newKey()
        val sealer = AesGcmSealer { key }
        val a = sealer.seal("same".toByteArray())
        val b = sealer.seal("same".toByteArray())
        assertNotEquals(a.toList(), b.toList())
        assertEquals("same", String(sealer.open(b)))
    }

    private val onceKey by lazy { newKey() }

    private fun newKeyOnce(): SecretKey = onceKey
}
