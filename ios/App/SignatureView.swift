import SwiftUI
import UIKit

/// The core's `CaptureSignature`: the customer reads the core's prompt and signs with a finger;
/// the strokes are written as a PNG into a UUID-named file in the app's private storage
/// (protected until first unlock) and its URL handed back; nil when cancelled. The pad is white
/// with black ink in both appearances: it is the paper being signed.
struct SignatureView: View {
    let prompt: String
    let done: (URL?) -> Void
    @State private var strokes: [[CGPoint]] = []
    @State private var size: CGSize = .zero

    var body: some View {
        VStack(alignment: .leading, spacing: 12) {
            Text(prompt)
                .font(.headline)
            GeometryReader { geometry in
                Canvas { context, _ in
                    for stroke in strokes {
                        context.stroke(path(stroke), with: .color(.black), lineWidth: 3)
                    }
                }
                .background(Color.white)
                .gesture(
                    DragGesture(minimumDistance: 0)
                        .onChanged { drag in
                            if drag.translation == .zero {
                                strokes.append([drag.location])
                            } else if !strokes.isEmpty {
                                strokes[strokes.count - 1].append(drag.location)
                            }
                        }
                )
                .onAppear { size = geometry.size }
            }
            .frame(height: 260)
            .accessibilityLabel(Text(ShellWords.text("signature.area")))
            HStack {
                Button(ShellWords.text("signature.clear")) { strokes = [] }
                Spacer()
                Button(ShellWords.text("signature.cancel")) { done(nil) }
                Button(ShellWords.text("signature.save")) { done(render()) }
                    .buttonStyle(.borderedProminent)
                    .disabled(strokes.isEmpty)
            }
        }
        .padding()
    }

    private func path(_ points: [CGPoint]) -> Path {
        var path = Path()
        guard let first = points.first else { return path }
        path.move(to: first)
        for point in points.dropFirst() {
            path.addLine(to: point)
        }
        return path
    }

    /// The strokes as a PNG, written durably; nil when it could not be written.
    private func render() -> URL? {
        let bounds = CGRect(origin: .zero, size: CGSize(width: Swift.max(size.width, 1), height: 260))
        let image = UIGraphicsImageRenderer(bounds: bounds).image { context in
            UIColor.white.setFill()
            context.fill(bounds)
            UIColor.black.setStroke()
            for stroke in strokes {
                let line = UIBezierPath()
                line.lineWidth = 3
                guard let first = stroke.first else { continue }
                line.move(to: first)
                for point in stroke.dropFirst() {
                    line.addLine(to: point)
                }
                line.stroke()
            }
        }
        guard let data = image.pngData(),
              let url = EffectExecutor.captureFile(extension: "png"),
              EffectExecutor.write(data, to: url)
        else { return nil }
        return url
    }
}
