package app.runsheet.courier

import android.graphics.Bitmap
import android.graphics.Canvas
import android.graphics.Paint
import androidx.compose.foundation.Canvas as ComposeCanvas
import androidx.compose.foundation.background
import androidx.compose.foundation.gestures.detectDragGestures
import androidx.compose.foundation.layout.Arrangement
import androidx.compose.foundation.layout.Column
import androidx.compose.foundation.layout.Row
import androidx.compose.foundation.layout.fillMaxWidth
import androidx.compose.foundation.layout.height
import androidx.compose.foundation.layout.padding
import androidx.compose.material3.Button
import androidx.compose.material3.MaterialTheme
import androidx.compose.material3.Text
import androidx.compose.material3.TextButton
import androidx.compose.runtime.Composable
import androidx.compose.runtime.mutableStateListOf
import androidx.compose.runtime.remember
import androidx.compose.ui.Modifier
import androidx.compose.ui.geometry.Offset
import androidx.compose.ui.graphics.Color
import androidx.compose.ui.input.pointer.pointerInput
import androidx.compose.ui.res.stringResource
import androidx.compose.ui.semantics.contentDescription
import androidx.compose.ui.semantics.semantics
import androidx.compose.ui.unit.dp
import java.io.File

/**
 * The core's `CaptureSignature`: the customer reads the core's `prompt` and signs with a
 * finger; the strokes are written as a PNG into `file` (a UUID-named file in the app's
 * storage) and handed back (the core records the file, hashes it and uploads it with the
 * proof). The pad is white with black ink in both themes: it is the paper being signed.
 */
@Composable
fun SignaturePad(prompt: String, file: File, onSigned: (File) -> Unit, onCancel: () -> Unit) {
    val strokes = remember { mutableStateListOf<MutableList<Offset>>() }
    val area = stringResource(R.string.signature_area)
    Column(Modifier.padding(16.dp), verticalArrangement = Arrangement.spacedBy(8.dp)) {
        Text(prompt, style = MaterialTheme.typography.titleMedium)
        ComposeCanvas(
            Modifier.fillMaxWidth().height(240.dp).background(Color.White)
                .semantics { contentDescription = area }
                .pointerInput(Unit) {
                    detectDragGestures(
                        onDragStart = { strokes.add(mutableListOf(it)) },
                        onDrag = { change, _ -> strokes.lastOrNull()?.add(change.position) },
                    )
                },
        ) {
            strokes.forEach { s ->
                s.zipWithNext().forEach { (a, b) -> drawLine(Color.Black, a, b, strokeWidth = 4f) }
            }
        }
        Row(horizontalArrangement = Arrangement.spacedBy(8.dp)) {
            TextButton(onClick = { strokes.clear() }) { Text(stringResource(R.string.signature_clear)) }
            TextButton(onClick = onCancel) { Text(stringResource(R.string.signature_cancel)) }
            Button(enabled = strokes.isNotEmpty(), onClick = { onSigned(render(strokes, file)) }) {
                Text(stringResource(R.string.signature_save))
            }
        }
    }
}

private fun render(strokes: List<List<Offset>>, file: File): File {
    val w = (strokes.flatten().maxOfOrNull { it.x } ?: 1f).toInt() + 8
    val h = (strokes.flatten().maxOfOrNull { it.y } ?: 1f).toInt() + 8
    val bitmap = Bitmap.createBitmap(w, h, Bitmap.Config.ARGB_8888)
    val canvas = Canvas(bitmap)
    canvas.drawColor(android.graphics.Color.WHITE)
    val paint = Paint().apply { color = android.graphics.Color.BLACK; strokeWidth = 4f; isAntiAlias = true }
    strokes.forEach { s -> s.zipWithNext().forEach { (a, b) -> canvas.drawLine(a.x, a.y, b.x, b.y, paint) } }
    // Written durably before the core is told: it hashes and uploads the file later.
    file.outputStream().use { out ->
        bitmap.compress(Bitmap.CompressFormat.PNG, 100, out)
        out.fd.sync()
    }
    return file
}
