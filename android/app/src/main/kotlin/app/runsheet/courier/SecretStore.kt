package app.runsheet.courier

import android.content.Context
import android.security.keystore.KeyGenParameterSpec
import android.security.keystore.KeyProperties
import app.runsheet.shell.AesGcmSealer
import app.runsheet.shell.RestoredSession
import app.runsheet.shell.SessionVault
import java.io.File
import java.security.KeyStore
import javax.crypto.KeyGenerator
import javax.crypto.SecretKey

/**
 * The phone's secrets: the key the task store is encrypted under and the courier's session
 * token. Each is sealed with AES-GCM under a key that lives in the Android Keystore (it never
 * leaves it, and is hardware-backed where the phone has it) and written to the app's no-backup
 * files, so neither a backup nor a device-to-device transfer carries them. What is kept, how
 * it is restored after process death and what an `AuthRequired` forgets is [SessionVault]'s
 * (shell-core, tested on the JVM); this class only supplies the Keystore key.
 */
class SecretStore(context: Context) {
    private val vault = SessionVault(File(context.noBackupFilesDir, "secrets"), AesGcmSealer(::keystoreKey))

    /** The token and the store key to open the core with (before it is opened). */
    fun restore(): RestoredSession = vault.restore()

    /** Keeps the token of a sign-in or a refresh. */
    fun keepToken(token: String) = vault.keepToken(token)

    /** The server refused the token: the next start shows sign-in; the store is kept. */
    fun forgetToken() = vault.forgetToken()

    private fun keystoreKey(): SecretKey {
        val ks = KeyStore.getInstance(KEYSTORE).apply { load(null) }
        (ks.getEntry(ALIAS, null) as? KeyStore.SecretKeyEntry)?.let { return it.secretKey }
        val gen = KeyGenerator.getInstance(KeyProperties.KEY_ALGORITHM_AES, KEYSTORE)
        gen.init(
            KeyGenParameterSpec.Builder(ALIAS, KeyProperties.PURPOSE_ENCRYPT or KeyProperties.PURPOSE_DECRYPT)
                .setBlockModes(KeyProperties.BLOCK_MODE_GCM)
                .setEncryptionPaddings(KeyProperties.ENCRYPTION_PADDING_NONE)
                .setKeySize(256)
                .build(),
        )
        return gen.generateKey()
    }

    private companion object {
        const val KEYSTORE = "AndroidKeyStore"
        const val ALIAS = "runsheet-secrets"
    }
}
