fn main() {
    // origin provides `_start`; the C start files must stay out.
    println!("cargo:rustc-link-arg=-nostartfiles");
}
