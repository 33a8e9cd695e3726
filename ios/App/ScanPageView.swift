import RunsheetCore
import SwiftUI
import Vision
import VisionKit

/// Scanning a handoff: progress, the last verdict (the core's sentence with its tone), the
/// camera when the core says it is on (the core asked for the permission and says what a
/// refusal means), the page's offers (turn the camera on, type a code) and the items with
/// theirs (photo and confirm by hand).
struct ScanPageView: View {
    let page: ScanPage
    let onOffer: OnOffer
    let scan: (Tap) -> Void

    var body: some View {
        Section {
            Text(page.progress)
                .font(.headline)
            ProgressView(value: Double(page.confirmed), total: Double(Swift.max(page.expected, 1)))
                .accessibilityLabel(Text(page.progress))
            if let verdict = page.lastVerdict {
                ToneLabel(text: verdict.text, tone: verdict.tone)
            }
        }
        Section {
            switch page.camera {
            case .on:
                LiveScanner { raw, symbology in
                    read(raw, symbology)
                }
                .frame(height: 280)
                .accessibilityLabel(Text(ShellWords.text("scan.preview")))
            case .off, .askingPermission, .denied:
                EmptyView()
            }
            if let text = page.cameraText {
                Text(text)
            }
            OfferList(offers: page.offers, onOffer: onOffer)
        }
        Section {
            ForEach(page.items, id: \.code) { item in
                ItemRow(item: item, onOffer: onOffer)
            }
        }
    }

    /// A code the camera read, sent as the page's scan offer filled in with it.
    private func read(_ raw: String, _ symbology: ScanSymbology) {
        for offer in page.offers {
            if case .scan(let taskId, _, _) = offer.tap {
                scan(.scan(taskId: taskId, code: raw, symbology: symbology))
                return
            }
        }
    }
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
