// The Runsheet core for Android: the uniffi-generated Kotlin bindings and the Rust library
// (cargo-ndk, one task per ABI) packaged as an AAR that other apps can depend on
// (`app.runsheet:runsheet-core`). The JVM unit tests (src/test) run against a host build of the
// same library; on CI they run through `cargo xtask test` (kotlinc + JUnit, no Android SDK).
plugins {
    alias(libs.plugins.android.library)
    alias(libs.plugins.kotlin.android)
    `maven-publish`
}

val repoRoot: File = rootProject.projectDir.parentFile
val generatedKotlin = File(repoRoot, "target/bindings/kotlin")

/** The NDK every build of the core uses (gradle/libs.versions.toml; cargo-ndk is pointed at it). */
val runsheetNdkVersion: String = libs.versions.ndk.get()

/** Android's API level the core is linked against: the app's minSdk. */
val runsheetMinSdk = 26

/** ABIs built (all three by default; `-PrunsheetAbis=arm64-v8a` builds one for a quick run). */
val runsheetAbis: List<String> = (findProperty("runsheetAbis") as String?)
    ?.split(',')?.map { it.trim() }?.filter { it.isNotEmpty() }
    ?: listOf("arm64-v8a", "armeabi-v7a", "x86_64")

/** Where the per-ABI libraries are written (`<abi>/librunsheet_ffi.so`), a jniLibs folder. */
val rustJniLibs = layout.buildDirectory.dir("rustJniLibs")

android {
    namespace = "app.runsheet.core"
    compileSdk = 35
    ndkVersion = runsheetNdkVersion
    defaultConfig {
        minSdk = runsheetMinSdk
        consumerProguardFiles("consumer-rules.pro")
        ndk { abiFilters += runsheetAbis }
    }
    sourceSets["main"].java.srcDir(generatedKotlin)
    sourceSets["main"].jniLibs.srcDir(rustJniLibs)
    compileOptions {
        sourceCompatibility = JavaVersion.VERSION_17
        targetCompatibility = JavaVersion.VERSION_17
    }
    kotlinOptions { jvmTarget = "17" }
    testOptions {
        unitTests.all {
            // Host build of the library for JVM tests, and the server binary they start.
            it.systemProperty("jna.library.path", File(repoRoot, "target/debug").path)
            it.systemProperty("runsheet.bin", File(repoRoot, "target/debug/runsheet").path)
        }
    }
    publishing {
        singleVariant("release") { withSourcesJar() }
    }
}

/** Everything the Rust library is built from: a change to any of these rebuilds it. */
fun rustSources(): ConfigurableFileTree = fileTree(repoRoot) {
    include("Cargo.toml", "Cargo.lock", "rust-toolchain.toml", ".cargo/config.toml")
    include("*/Cargo.toml", "*/build.rs", "*/src/**", "*/locales/**", "*/uniffi.toml", "*/migrations/**")
    exclude("target/**", "android/**", "ios/**", "xtask/**", "server/**", "cli/**", "tests/**")
}

val generateUniffiBindings by tasks.registering(Exec::class) {
    group = "runsheet"
    description = "Generates the Kotlin bindings from the host build of the Rust library (cargo xtask bindings)."
    inputs.files(rustSources()).withPropertyName("rustSources").withPathSensitivity(PathSensitivity.RELATIVE)
    outputs.dir(generatedKotlin).withPropertyName("bindings")
    workingDir = repoRoot
    commandLine("cargo", "xtask", "bindings")
}

// One task per ABI: `cargo ndk` with the pinned NDK and the phone profile (`mobile`: LTO, one
// codegen unit, size-optimised, stripped). SQLCipher's crypto is the Rust provider in cipher/
// (the workspace's .cargo/config.toml, read because cargo runs in the repository): no OpenSSL,
// which Android does not offer apps.
val cargoNdkTasks = runsheetAbis.map { abi ->
    val name = "cargoNdk" + abi.split('-', '_').joinToString("") { part -> part.replaceFirstChar { it.uppercase() } }
    tasks.register<Exec>(name) {
        group = "runsheet"
        description = "Builds librunsheet_ffi.so for $abi with cargo-ndk (NDK $runsheetNdkVersion, profile mobile)."
        inputs.files(rustSources()).withPropertyName("rustSources").withPathSensitivity(PathSensitivity.RELATIVE)
        inputs.property("ndkVersion", runsheetNdkVersion)
        inputs.property("minSdk", runsheetMinSdk)
        outputs.dir(rustJniLibs.map { it.dir(abi) }).withPropertyName("jniLibs")
        workingDir = repoRoot
        commandLine(
            "cargo", "ndk",
            "--target", abi,
            "--platform", runsheetMinSdk.toString(),
            "--output-dir", rustJniLibs.get().asFile.path,
            "build", "--profile", "mobile", "-p", "runsheet-ffi",
        )
        doFirst {
            // The NDK AGP resolved for `ndkVersion` (installed by the SDK manager), never
            // whichever one happens to be on the machine.
            val ndk = android.ndkDirectory
            if (!ndk.isDirectory) {
                throw GradleException("NDK $runsheetNdkVersion is not installed: sdkmanager \"ndk;$runsheetNdkVersion\"")
            }
            environment("ANDROID_NDK_HOME", ndk.path)
            environment("ANDROID_NDK_ROOT", ndk.path)
        }
    }
}

val cargoNdkBuild by tasks.registering {
    group = "runsheet"
    description = "Builds librunsheet_ffi.so for every ABI in runsheetAbis."
    dependsOn(cargoNdkTasks)
}

tasks.named("preBuild") {
    dependsOn(generateUniffiBindings, cargoNdkBuild)
}

dependencies {
    implementation("${libs.jna.aar.get()}@aar")
    implementation(libs.kotlinx.coroutines.android)
    testImplementation(libs.jna.jvm)
    testImplementation(libs.junit)
    testImplementation(libs.kotlin.test)
    testImplementation(libs.kotlinx.coroutines.core)
}

// The AAR for other apps: `./gradlew :runsheet:publishReleasePublicationToRunsheetRepository`
// writes `android/build/repo/app/runsheet/runsheet-core/<version>/` (bindings + jniLibs per ABI);
// `publishToMavenLocal` puts the same into ~/.m2.
publishing {
    publications {
        register<MavenPublication>("release") {
            groupId = "app.runsheet"
            artifactId = "runsheet-core"
            version = (findProperty("runsheetVersion") as String?) ?: "0.1.0"
            afterEvaluate { from(components["release"]) }
            pom {
                name.set("Runsheet core")
                description.set("The Runsheet courier core (Rust, via uniffi) for Android apps.")
            }
        }
    }
    repositories {
        maven {
            name = "runsheet"
            url = uri(rootProject.layout.buildDirectory.dir("repo"))
        }
    }
}
