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
import androidx.compose.material3.Text
import androidx.compose.material3.TextButton
import androidx.compose.runtime.Composable
import androidx.compose.runtime.mutableStateListOf
import androidx.compose.runtime.remember
import androidx.compose.ui.Modifier
import androidx.compose.ui.geometry.Offset
import androidx.compose.ui.graphics.Color
import androidx.compose.ui.input.pointer.pointerInput
import androidx.compose.ui.unit.dp
import java.io.File

/**
 * The customer signs with a finger; the strokes are written as a PNG into the app's files and
 * handed back (the core records the file, hashes it and uploads it with the proof).
 */
@Composable
fun SignaturePad(onSigned: (File) -> Unit, dir: File, onCancel: () -> Unit) {
    val strokes = remember { mutableStateListOf<MutableList<Offset>>() }
    Column(Modifier.padding(16.dp), verticalArrangement = Arrangement.spacedBy(8.dp)) {
        Text("Customer's signature")
        ComposeCanvas(
            Modifier.fillMaxWidth().height(240.dp).background(Color.White).pointerInput(Unit) {
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
            TextButton(onClick = { strokes.clear() }) { Text("Clear") }
            TextButton(onClick = onCancel) { Text("Cancel") }
            Button(enabled = strokes.isNotEmpty(), onClick = { onSigned(render(strokes, dir)) }) { Text("Save") }
        }
    }
}

private fun render(strokes: List<List<Offset>>, dir: File): File {
    val w = (strokes.flatten().maxOfOrNull { it.x } ?: 1f).toInt() + 8
    val h = (strokes.flatten().maxOfOrNull { it.y } ?: 1f).toInt() + 8
    val bitmap = Bitmap.createBitmap(w, h, Bitmap.Config.ARGB_8888)
    val canvas = Canvas(bitmap)
    canvas.drawColor(android.graphics.Color.WHITE)
    val paint = Paint().apply { color = android.graphics.Color.BLACK; strokeWidth = 4f; isAntiAlias = true }
    strokes.forEach { s -> s.zipWithNext().forEach { (a, b) -> canvas.drawLine(a.x, a.y, b.x, b.y, paint) } }
    val file = File(dir, "signature-${System.currentTimeMillis()}.png")
    file.outputStream().use { bitmap.compress(Bitmap.CompressFormat.PNG, 100, it) }
    return file
}
