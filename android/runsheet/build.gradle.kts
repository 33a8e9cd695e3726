// The Runsheet core for Android: the uniffi-generated Kotlin bindings and the Rust library
// (cargo-ndk) packaged as an AAR. The JVM unit tests (src/test) run against a host build of the
// same library; on CI they run through `cargo xtask test` (kotlinc + JUnit, no Android SDK).
plugins {
    alias(libs.plugins.android.library)
    alias(libs.plugins.kotlin.android)
}

val repoRoot = rootProject.projectDir.parentFile
val generatedKotlin = File(repoRoot, "target/bindings/kotlin")

android {
    namespace = "app.runsheet.core"
    compileSdk = 35
    defaultConfig {
        minSdk = 26
        consumerProguardFiles("consumer-rules.pro")
    }
    sourceSets["main"].java.srcDir(generatedKotlin)
    sourceSets["main"].jniLibs.srcDir("src/main/jniLibs")
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
}

val generateUniffiBindings by tasks.registering(Exec::class) {
    description = "Generates the Kotlin bindings from the built Rust library (cargo xtask bindings)."
    workingDir = repoRoot
    commandLine("cargo", "xtask", "bindings")
}

val cargoNdkBuild by tasks.registering(Exec::class) {
    description = "Builds librunsheet_ffi.so for each Android ABI with cargo-ndk."
    workingDir = repoRoot
    commandLine(
        "cargo", "ndk",
        "-t", "arm64-v8a", "-t", "armeabi-v7a", "-t", "x86_64",
        "-o", File(projectDir, "src/main/jniLibs").path,
        // SQLCipher over a statically built OpenSSL (Android has no libcrypto for apps).
        "build", "--release", "-p", "runsheet-ffi", "--features", "vendored-openssl",
    )
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
