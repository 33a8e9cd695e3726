package app.runsheet.courier

import android.annotation.SuppressLint
import androidx.camera.core.CameraSelector
import androidx.camera.core.ImageAnalysis
import androidx.camera.core.ImageProxy
import androidx.camera.core.Preview
import androidx.camera.lifecycle.ProcessCameraProvider
import androidx.camera.view.PreviewView
import androidx.compose.foundation.layout.Arrangement
import androidx.compose.foundation.layout.Column
import androidx.compose.foundation.layout.fillMaxWidth
import androidx.compose.foundation.layout.height
import androidx.compose.material3.LinearProgressIndicator
import androidx.compose.material3.MaterialTheme
import androidx.compose.material3.Text
import androidx.compose.runtime.Composable
import androidx.compose.runtime.DisposableEffect
import androidx.compose.ui.Modifier
import androidx.compose.ui.platform.LocalContext
import androidx.compose.ui.platform.LocalLifecycleOwner
import androidx.compose.ui.res.stringResource
import androidx.compose.ui.semantics.contentDescription
import androidx.compose.ui.semantics.semantics
import androidx.compose.ui.unit.dp
import androidx.compose.ui.viewinterop.AndroidView
import androidx.core.content.ContextCompat
import app.runsheet.gs1.ScanSymbology
import app.runsheet.screens.CameraState
import app.runsheet.screens.ScanPage
import app.runsheet.screens.Tap
import com.google.mlkit.vision.barcode.BarcodeScanning
import com.google.mlkit.vision.barcode.common.Barcode
import com.google.mlkit.vision.common.InputImage

/** ML Kit's barcode format as the core's symbology (the core reads GS1 content either way). */
fun symbologyOf(format: Int): ScanSymbology = when (format) {
    Barcode.FORMAT_EAN_8 -> ScanSymbology.EAN8
    Barcode.FORMAT_EAN_13 -> ScanSymbology.EAN13
    Barcode.FORMAT_UPC_A -> ScanSymbology.UPC_A
    Barcode.FORMAT_UPC_E -> ScanSymbology.UPC_E
    Barcode.FORMAT_ITF -> ScanSymbology.ITF
    Barcode.FORMAT_CODE_128 -> ScanSymbology.CODE128
    Barcode.FORMAT_CODE_39 -> ScanSymbology.CODE39
    Barcode.FORMAT_DATA_MATRIX -> ScanSymbology.DATA_MATRIX
    Barcode.FORMAT_QR_CODE -> ScanSymbology.QR_CODE
    Barcode.FORMAT_PDF417 -> ScanSymbology.PDF417
    Barcode.FORMAT_AZTEC -> ScanSymbology.AZTEC
    else -> ScanSymbology.UNKNOWN
}

/**
 * Hands what the camera reads to the core as the page's scan offer, filled in with the code
 * and its symbology. The camera reports a label many times a second; the same text read again
 * in a row is one reading (the core counts repeats anyway; this spares the calls).
 */
class ScanInput(private val send: (Tap) -> Unit) {
    private var last: String? = null

    /** A code read by the camera while `page` is on screen. */
    fun read(page: ScanPage, raw: String, symbology: ScanSymbology) {
        if (raw == last) return
        last = raw
        val offered = page.offers.map { it.tap }.filterIsInstance<Tap.Scan>().firstOrNull() ?: return
        send(offered.copy(code = raw, symbology = symbology))
    }
}

/**
 * Scanning a handoff: progress, the last verdict (the core's sentence with its tone), the
 * camera when the core says it is on (the core asked for the permission and says what a
 * refusal means), the page's offers (turn the camera on, type a code) and the items with
 * theirs (photo and confirm by hand).
 */
@Composable
fun ScanPageView(page: ScanPage, onOffer: OnOffer, scan: ScanInput) {
    Column(verticalArrangement = Arrangement.spacedBy(12.dp)) {
        Text(page.progress, style = MaterialTheme.typography.titleMedium)
        LinearProgressIndicator(
            progress = { if (page.expected > 0u) page.confirmed.toFloat() / page.expected.toFloat() else 0f },
            modifier = Modifier.fillMaxWidth().semantics { contentDescription = page.progress },
        )
        page.lastVerdict?.let { ToneLine(it.text, it.tone) }
        when (page.camera) {
            CameraState.ON -> CameraScanner(Modifier.fillMaxWidth().height(280.dp)) { raw, symbology ->
                scan.read(page, raw, symbology)
            }
            CameraState.OFF, CameraState.ASKING_PERMISSION, CameraState.DENIED -> Unit
        }
        page.cameraText?.let { Text(it, style = MaterialTheme.typography.bodyMedium) }
        OfferRow(page.offers, onOffer)
        for (item in page.items) ItemLine(item, onOffer)
    }
}

@SuppressLint("UnsafeOptInUsageError")
@Composable
private fun CameraScanner(modifier: Modifier, onCode: (String, ScanSymbology) -> Unit) {
    val context = LocalContext.current
    val owner = LocalLifecycleOwner.current
    val description = stringResource(R.string.scan_preview)
    val providerFuture = ProcessCameraProvider.getInstance(context)
    DisposableEffect(owner) {
        onDispose { if (providerFuture.isDone) providerFuture.get().unbindAll() }
    }
    AndroidView(
        modifier = modifier.semantics { contentDescription = description },
        factory = { ctx ->
            val view = PreviewView(ctx)
            providerFuture.addListener({
                val provider = providerFuture.get()
                val preview = Preview.Builder().build().also { it.surfaceProvider = view.surfaceProvider }
                val scanner = BarcodeScanning.getClient()
                val analysis = ImageAnalysis.Builder()
                    .setBackpressureStrategy(ImageAnalysis.STRATEGY_KEEP_ONLY_LATEST)
                    .build()
                analysis.setAnalyzer(ContextCompat.getMainExecutor(ctx)) { frame: ImageProxy ->
                    val media = frame.image
                    if (media == null) {
                        frame.close()
                        return@setAnalyzer
                    }
                    scanner.process(InputImage.fromMediaImage(media, frame.imageInfo.rotationDegrees))
                        .addOnSuccessListener { codes ->
                            codes.forEach { code -> code.rawValue?.let { onCode(it, symbologyOf(code.format)) } }
                        }
                        .addOnCompleteListener { frame.close() }
                }
                provider.unbindAll()
                provider.bindToLifecycle(owner, CameraSelector.DEFAULT_BACK_CAMERA, preview, analysis)
            }, ContextCompat.getMainExecutor(ctx))
            view
        },
    )
}
