import RunsheetCore
import SwiftUI
import Vision
import VisionKit

/// The handoff scanner: VisionKit's live camera scanner hands every code it recognises (raw
/// text and symbology) to the core, which says what it is and how far the handoff is. Missing
/// items with a damaged label can be confirmed by hand with a photo.
struct ScanView: View {
    let task: CourierTask
    @ObservedObject var store: TaskListStore
    @State private var last: ScanResult?
    @State private var progress: ScanProgress?
    @State private var byHand: Item?
    @State private var photos: [URL] = []

    /// Whether the scan went through (a confirmed item, or a repeat of one).
    private func accepted(_ outcome: ScanOutcome) -> Bool {
        switch outcome {
        case .confirmed, .repeat: return true
        default: return false
        }
    }

    var body: some View {
        NavigationStack {
            VStack(alignment: .leading, spacing: 8) {
                if DataScannerViewController.isSupported && DataScannerViewController.isAvailable {
                    LiveScanner { raw, symbology in
                        Task {
                            last = await store.scan(task, raw: raw, symbology: symbology)
                            progress = last?.progress ?? progress
                        }
                    }
                    .frame(height: 280)
                } else {
                    Text("This device cannot scan live; confirm items by hand.")
                }
                if let progress {
                    Text(progress.text()).font(.headline)
                }
                if let last {
                    Text(last.outcome.description)
                        .foregroundStyle(accepted(last.outcome) ? Color.green : Color.red)
                }
                ForEach(progress?.missing ?? [], id: \.code) { item in
                    Button("Label damaged? Confirm \(item.name) by hand") { byHand = item }
                }
                Spacer()
            }
            .padding()
            .navigationTitle("Scan task \(task.id)")
            .task { progress = await store.scanProgress(task) }
            .sheet(item: $byHand) { item in
                CameraView { url in
                    byHand = nil
                    Task {
                        await store.confirmByHand(task, item: item, reason: "label damaged", photos: [url])
                        progress = await store.scanProgress(task)
                    }
                }
            }
        }
    }
}

extension Item: Identifiable {
    public var id: String { code }
}

/// VisionKit's DataScannerViewController for barcodes, reporting each recognised code.
struct LiveScanner: UIViewControllerRepresentable {
    let found: (String, ScanSymbology) -> Void

    func makeUIViewController(context: Context) -> DataScannerViewController {
        let scanner = DataScannerViewController(
            recognizedDataTypes: [.barcode()],
            qualityLevel: .balanced,
            recognizesMultipleItems: false,
            isHighFrameRateTrackingEnabled: false,
            isHighlightingEnabled: true
        )
        scanner.delegate = context.coordinator
        try? scanner.startScanning()
        return scanner
    }

    func updateUIViewController(_ controller: DataScannerViewController, context: Context) {}

    func makeCoordinator() -> Coordinator {
        Coordinator(found: found)
    }

    /// Forwards recognised barcodes.
    final class Coordinator: NSObject, DataScannerViewControllerDelegate {
        let found: (String, ScanSymbology) -> Void

        init(found: @escaping (String, ScanSymbology) -> Void) {
            self.found = found
        }

        func dataScanner(
            _ dataScanner: DataScannerViewController,
            didAdd addedItems: [RecognizedItem],
            allItems: [RecognizedItem]
        ) {
            for item in addedItems {
                if case .barcode(let code) = item, let raw = code.payloadStringValue {
                    found(raw, symbology(code.observation.symbology))
                }
            }
        }

        private func symbology(_ s: VNBarcodeSymbology) -> ScanSymbology {
            switch s {
            case .ean8: return .ean8
            case .ean13: return .ean13
            case .upce: return .upcE
            case .itf14, .i2of5: return .itf
            case .code128: return .code128
            case .gs1DataBar, .gs1DataBarExpanded, .gs1DataBarLimited: return .gs1DataBar
            case .code39: return .code39
            case .dataMatrix: return .dataMatrix
            case .qr: return .qrCode
            case .pdf417: return .pdf417
            case .aztec: return .aztec
            default: return .unknown
            }
        }
    }
}
