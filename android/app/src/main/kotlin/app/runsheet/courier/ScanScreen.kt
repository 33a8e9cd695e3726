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
import androidx.compose.foundation.layout.padding
import androidx.compose.material3.Button
import androidx.compose.material3.MaterialTheme
import androidx.compose.material3.Text
import androidx.compose.material3.TextButton
import androidx.compose.runtime.Composable
import androidx.compose.ui.Modifier
import androidx.compose.ui.platform.LocalContext
import androidx.compose.ui.platform.LocalLifecycleOwner
import androidx.compose.ui.unit.dp
import androidx.compose.ui.viewinterop.AndroidView
import androidx.core.content.ContextCompat
import app.runsheet.core.ScanOutcome
import app.runsheet.core.ScanProgress
import app.runsheet.ffi.ScanResult
import app.runsheet.gs1.ScanSymbology
import app.runsheet.protocol.Item
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
 * The handoff scanner: the camera preview, every code ML Kit reads handed to the core as it is
 * (raw text with FNC1 as GS, and the format), the core's verdict and progress ("3 of 4 items
 * confirmed"), and the missing items with "confirm by hand" for a damaged label. The camera
 * reports a code many times a second; the core counts repeats once.
 */
@Composable
fun ScanScreen(
    taskId: String,
    progress: ScanProgress?,
    last: ScanResult?,
    onScan: (String, ScanSymbology) -> Unit,
    onConfirmByHand: (Item) -> Unit,
    onDone: () -> Unit,
) {
    Column(Modifier.padding(16.dp), verticalArrangement = Arrangement.spacedBy(8.dp)) {
        Text("Scan the bags of task $taskId", style = MaterialTheme.typography.titleMedium)
        CameraScanner(Modifier.fillMaxWidth().height(280.dp), onScan)
        progress?.let { Text(it.text(), style = MaterialTheme.typography.titleSmall) }
        last?.let { r ->
            val ok = r.outcome is ScanOutcome.Confirmed || r.outcome is ScanOutcome.Repeat
            Text(r.outcome.toString(), color = if (ok) MaterialTheme.colorScheme.primary else MaterialTheme.colorScheme.error)
        }
        progress?.missing?.forEach { item ->
            TextButton(onClick = { onConfirmByHand(item) }) { Text("Label damaged? Confirm ${item.name} by hand") }
        }
        Button(onClick = onDone) { Text("Done") }
    }
}

@SuppressLint("UnsafeOptInUsageError")
@Composable
private fun CameraScanner(modifier: Modifier, onScan: (String, ScanSymbology) -> Unit) {
    val context = LocalContext.current
    val owner = LocalLifecycleOwner.current
    AndroidView(
        modifier = modifier,
        factory = { ctx ->
            val view = PreviewView(ctx)
            val providerFuture = ProcessCameraProvider.getInstance(ctx)
            providerFuture.addListener({
                val provider = providerFuture.get()
                val preview = Preview.Builder().build().also { it.surfaceProvider = view.surfaceProvider }
                val scanner = BarcodeScanning.getClient()
                val analysis = ImageAnalysis.Builder()
                    .setBackpressureStrategy(ImageAnalysis.STRATEGY_KEEP_ONLY_LATEST)
                    .build()
                analysis.setAnalyzer(ContextCompat.getMainExecutor(context)) { frame: ImageProxy ->
                    val media = frame.image
                    if (media == null) {
                        frame.close()
                        return@setAnalyzer
                    }
                    scanner.process(InputImage.fromMediaImage(media, frame.imageInfo.rotationDegrees))
                        .addOnSuccessListener { codes ->
                            codes.forEach { code -> code.rawValue?.let { onScan(it, symbologyOf(code.format)) } }
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
