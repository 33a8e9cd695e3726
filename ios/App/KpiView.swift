import RunsheetCore
import SwiftUI

/// Where the courier stands: the platform's figures for today, 7 and 30 days (computed on the
/// phone, the same as the server's), each marked when below target, and the ratings received
/// with an appeal action.
struct KpiView: View {
    @ObservedObject var store: TaskListStore
    @State private var period = KpiPeriod.today
    @State private var kpis: Kpis?
    @State private var ratings: [Rating] = []
    @State private var appealing: Rating?
    @State private var reason = ""

    var body: some View {
        List {
            Picker("Period", selection: $period) {
                Text("Today").tag(KpiPeriod.today)
                Text("7 days").tag(KpiPeriod.week)
                Text("30 days").tag(KpiPeriod.month)
            }
            .pickerStyle(.segmented)
            if let kpis {
                Section("\(kpis.deliveries) deliveries") {
                    figure("On time", kpis.onTimeRate.map(percent), "≥ 95%", "on_time_rate")
                    figure("Delivery time at peak", kpis.avgDeliveryMinPeak.map { "\(Int($0)) min" }, "≤ 30 min", "avg_delivery_min_peak")
                    figure("Delivery time off-peak", kpis.avgDeliveryMinOffPeak.map { "\(Int($0)) min" }, "≤ 45 min", "avg_delivery_min_off_peak")
                    figure("Order errors", kpis.orderErrorRate.map(percent), "≤ 0.5%", "order_error_rate")
                    figure("Delays (over 10 min)", kpis.delayRate.map(percent), "≤ 3%", "delay_rate")
                    figure("Satisfaction (4–5 stars)", kpis.satisfaction.map(percent), "≥ 90%", "satisfaction")
                }
            }
            Section("Ratings") {
                ForEach(ratings, id: \.id) { rating in
                    VStack(alignment: .leading) {
                        Text("Task \(rating.taskId): \(rating.stars.map { "\($0) ★" } ?? rating.tags.joined(separator: ", "))")
                        if let comment = rating.comment {
                            Text(comment).font(.caption)
                        }
                        switch rating.appeal {
                        case nil:
                            Button("Appeal") { appealing = rating }
                        case .pending?:
                            Text("Appeal pending").font(.caption)
                        case .upheld?:
                            Text("Appeal upheld: no longer counts").font(.caption)
                        case .rejected?:
                            Text("Appeal rejected \(rating.appealNote ?? "")").font(.caption)
                        }
                    }
                }
            }
            if let appealing {
                Section("Appeal rating \(appealing.id)") {
                    TextField("Why is it unfair?", text: $reason)
                    Button("Send with the evidence") {
                        let why = reason
                        self.appealing = nil
                        reason = ""
                        Task {
                            await store.appeal(appealing, reason: why)
                            reload()
                        }
                    }
                }
            }
        }
        .navigationTitle("My figures")
        .onAppear(perform: reload)
        .onChange(of: period) { _ in reload() }
    }

    private func figure(_ name: String, _ value: String?, _ target: String, _ key: String) -> some View {
        HStack {
            Text(name)
            Spacer()
            Text("\(value ?? "—") (target \(target))")
                .foregroundStyle(kpis?.belowTarget.contains(key) == true ? Color.red : Color.primary)
        }
    }

    private func percent(_ v: Double) -> String {
        String(format: "%.1f%%", v * 100)
    }

    private func reload() {
        Task {
            kpis = await store.kpis(period)
            ratings = await store.ratings()
        }
    }
}

/// Rating the merchant and the drop-off after a delivery.
struct RateStopView: View {
    let task: CourierTask
    @ObservedObject var store: TaskListStore
    @Environment(\.dismiss) private var dismiss
    @State private var merchant = 0
    @State private var door = 0
    @State private var note = ""

    var body: some View {
        NavigationStack {
            Form {
                if task.pickup != nil {
                    Stepper("Merchant: \(merchant) ★", value: $merchant, in: 0...5)
                }
                Stepper("Drop-off: \(door) ★", value: $door, in: 0...5)
                TextField("Access note for the next courier", text: $note)
            }
            .navigationTitle("Rate task \(task.id)")
            .toolbar {
                Button("Send") {
                    if merchant > 0 {
                        store.rateStop(task, target: .merchant, stars: UInt8(merchant), note: nil)
                    }
                    if door > 0 {
                        store.rateStop(task, target: .dropoff, stars: UInt8(door), note: note.isEmpty ? nil : note)
                    }
                    dismiss()
                }
            }
        }
    }
}
