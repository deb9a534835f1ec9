//! Photo processing (core.telegram.org/api/files#image-thumbnail-types): decodes an upload
//! with the `image` crate and renders Telegram's size set as JPEGs — `s` (box 100), `m`
//! (320), `x` (800), `y` (1280), `w` (2560), each only where the original is bigger than the
//! box below it — plus the stripped thumbnail `i`.
//!
//! The stripped size is a ≤40×40 JPEG without its header: clients prepend a fixed header
//! (fixed quantization and Huffman tables, 4:2:0) and patch in height and width
//! (core.telegram.org/api/files#stripped-thumbnails). So its scan is encoded with exactly
//! those tables and that subsampling (jpeg-encoder allows both), then cut out of the JPEG.

use std::io::Cursor;

use image::codecs::jpeg::JpegEncoder;
use image::imageops::FilterType;
use image::{DynamicImage, ImageReader, Limits};

use crate::MediaError;

/// The size letters and their boxes, smallest first.
pub const SIZE_BOXES: [(&str, u32); 5] =
    [("s", 100), ("m", 320), ("x", 800), ("y", 1280), ("w", 2560)];
/// JPEG quality of the rendered sizes.
const SIZE_QUALITY: u8 = 87;
/// Longest side of the stripped thumbnail.
const STRIPPED_MAX: u32 = 40;
/// Largest side accepted (Telegram refuses photos far beyond 10000 px).
const SIDE_MAX: u32 = 10_000;

/// The JPEG header clients put in front of stripped bytes (see module docs); bytes 164 and
/// 166 are height and width.
const STRIPPED_HEADER: &str = "ffd8ffe000104a46494600010100000100010000ffdb004300281c1e231e19282321232d2b28303c64413c37373c7b585d4964918099968f808c8aa0b4e6c3a0aadaad8a8cc8ffcbdaeef5ffffff9bc1fffffffaffe6fdfff8ffdb0043012b2d2d3c353c76414176f8a58ca5f8f8f8f8f8f8f8f8f8f8f8f8f8f8f8f8f8f8f8f8f8f8f8f8f8f8f8f8f8f8f8f8f8f8f8f8f8f8f8f8f8f8f8f8f8f8f8f8f8f8ffc00011080000000003012200021101031101ffc4001f0000010501010101010100000000000000000102030405060708090a0bffc400b5100002010303020403050504040000017d01020300041105122131410613516107227114328191a1082342b1c11552d1f02433627282090a161718191a25262728292a3435363738393a434445464748494a535455565758595a636465666768696a737475767778797a838485868788898a92939495969798999aa2a3a4a5a6a7a8a9aab2b3b4b5b6b7b8b9bac2c3c4c5c6c7c8c9cad2d3d4d5d6d7d8d9dae1e2e3e4e5e6e7e8e9eaf1f2f3f4f5f6f7f8f9faffc4001f0100030101010101010101010000000000000102030405060708090a0bffc400b51100020102040403040705040400010277000102031104052131061241510761711322328108144291a1b1c109233352f0156272d10a162434e125f11718191a262728292a35363738393a434445464748494a535455565758595a636465666768696a737475767778797a82838485868788898a92939495969798999aa2a3a4a5a6a7a8a9aab2b3b4b5b6b7b8b9bac2c3c4c5c6c7c8c9cad2d3d4d5d6d7d8d9dae2e3e4e5e6e7e8e9eaf2f3f4f5f6f7f8f9faffda000c03010002110311003f00";

/// One rendered size.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RenderedSize {
    pub kind: &'static str,
    pub width: u32,
    pub height: u32,
    /// JPEG bytes; for `i` the stripped form.
    pub bytes: Vec<u8>,
}

/// Decodes an image (JPEG, PNG, WebP, GIF); IMAGE_PROCESS_FAILED when it is none of them
/// or too large, PHOTO_INVALID_DIMENSIONS for absurd proportions.
pub fn decode(bytes: &[u8]) -> Result<DynamicImage, MediaError> {
    let mut reader = ImageReader::new(Cursor::new(bytes))
        .with_guessed_format()
        .map_err(|_| MediaError::rejected("IMAGE_PROCESS_FAILED"))?;
    let mut limits = Limits::default();
    limits.max_image_width = Some(SIDE_MAX);
    limits.max_image_height = Some(SIDE_MAX);
    limits.max_alloc = Some(512 * 1024 * 1024);
    reader.limits(limits);
    let image = reader
        .decode()
        .map_err(|_| MediaError::rejected("IMAGE_PROCESS_FAILED"))?;
    let (w, h) = (image.width(), image.height());
    if w == 0 || h == 0 || w / h > 20 || h / w > 20 {
        return Err(MediaError::rejected("PHOTO_INVALID_DIMENSIONS"));
    }
    Ok(image)
}

/// The dimensions of `(w, h)` scaled to fit a `side`×`side` box (never enlarged).
pub fn fit(w: u32, h: u32, side: u32) -> (u32, u32) {
    if w <= side && h <= side {
        return (w, h);
    }
    if w >= h {
        let nh = (u64::from(h) * u64::from(side) / u64::from(w)).max(1);
        (side, u32::try_from(nh).unwrap_or(1))
    } else {
        let nw = (u64::from(w) * u64::from(side) / u64::from(h)).max(1);
        (u32::try_from(nw).unwrap_or(1), side)
    }
}

fn encode_jpeg(image: &DynamicImage, quality: u8) -> Result<Vec<u8>, MediaError> {
    let rgb = image.to_rgb8();
    let mut out = Vec::new();
    JpegEncoder::new_with_quality(&mut out, quality)
        .encode_image(&rgb)
        .map_err(|e| MediaError::Internal(format!("jpeg encode: {e}")))?;
    Ok(out)
}

/// The photo's size set: every box the original reaches into, smallest first.
pub fn render_sizes(image: &DynamicImage) -> Result<Vec<RenderedSize>, MediaError> {
    let (w, h) = (image.width(), image.height());
    let longest = w.max(h);
    let mut sizes = Vec::new();
    let mut below = 0;
    for (kind, side) in SIZE_BOXES {
        if longest <= below {
            break;
        }
        let (sw, sh) = fit(w, h, side);
        let scaled = if (sw, sh) == (w, h) {
            image.clone()
        } else {
            image.resize_exact(sw, sh, FilterType::Triangle)
        };
        sizes.push(RenderedSize {
            kind,
            width: sw,
            height: sh,
            bytes: encode_jpeg(&scaled, SIZE_QUALITY)?,
        });
        below = side;
    }
    Ok(sizes)
}

/// Zigzag position → natural (row-major) index of an 8×8 block.
const ZIGZAG: [usize; 64] = [
    0, 1, 8, 16, 9, 2, 3, 10, 17, 24, 32, 25, 18, 11, 4, 5, 12, 19, 26, 33, 40, 48, 41, 34, 27, 20,
    13, 6, 7, 14, 21, 28, 35, 42, 49, 56, 57, 50, 43, 36, 29, 22, 15, 23, 30, 37, 44, 51, 58, 59,
    52, 45, 38, 31, 39, 46, 53, 60, 61, 54, 47, 55, 62, 63,
];
/// Where the two quantization tables (zigzag order) start in the stripped header.
const LUMA_TABLE_AT: usize = 25;
const CHROMA_TABLE_AT: usize = 94;

/// A quantization table of the stripped header in natural order (what the encoder takes).
fn header_table(header: &[u8], at: usize) -> Box<[u16; 64]> {
    let mut table = [1u16; 64];
    for (k, natural) in ZIGZAG.iter().enumerate() {
        table[*natural] = u16::from(header[at + k]);
    }
    Box::new(table)
}

/// The entropy-coded data of a baseline JPEG: what follows the SOS segment, without EOI.
fn scan_data(jpeg: &[u8]) -> Option<&[u8]> {
    let mut at = 2;
    while at + 4 <= jpeg.len() {
        if jpeg[at] != 0xff {
            return None;
        }
        let marker = jpeg[at + 1];
        let len = usize::from(u16::from_be_bytes([jpeg[at + 2], jpeg[at + 3]]));
        if marker == 0xda {
            let start = at + 2 + len;
            let end = jpeg.len().checked_sub(2)?;
            return jpeg.get(start..end);
        }
        at += 2 + len;
    }
    None
}

/// The stripped thumbnail (`1, height, width` + entropy-coded data): encoded 4:2:0 with the
/// header's own quantization tables and the standard Huffman tables, so the scan decodes
/// under the header clients prepend.
pub fn stripped(image: &DynamicImage) -> Option<RenderedSize> {
    use jpeg_encoder::{ColorType, Encoder, QuantizationTableType, SamplingFactor};
    let (w, h) = fit(image.width(), image.height(), STRIPPED_MAX);
    let small = image.resize_exact(w, h, FilterType::Triangle).to_rgb8();
    let header = hex::decode(STRIPPED_HEADER).ok()?;
    let mut jpeg = Vec::new();
    let mut encoder = Encoder::new(&mut jpeg, 100);
    encoder.set_sampling_factor(SamplingFactor::R_4_2_0);
    encoder.set_quantization_tables(
        QuantizationTableType::Custom(header_table(&header, LUMA_TABLE_AT)),
        QuantizationTableType::Custom(header_table(&header, CHROMA_TABLE_AT)),
    );
    encoder
        .encode(
            small.as_raw(),
            u16::try_from(w).ok()?,
            u16::try_from(h).ok()?,
            ColorType::Rgb,
        )
        .ok()?;
    let scan = scan_data(&jpeg)?;
    let mut bytes = vec![1, u8::try_from(h).ok()?, u8::try_from(w).ok()?];
    bytes.extend_from_slice(scan);
    Some(RenderedSize {
        kind: "i",
        width: w,
        height: h,
        bytes,
    })
}

/// Rebuilds a JPEG from stripped bytes, as clients do (used by tests).
pub fn unstrip(stripped: &[u8]) -> Option<Vec<u8>> {
    if stripped.len() < 3 || stripped[0] != 1 {
        return None;
    }
    let mut jpeg = hex::decode(STRIPPED_HEADER).ok()?;
    jpeg[164] = stripped[1];
    jpeg[166] = stripped[2];
    jpeg.extend_from_slice(&stripped[3..]);
    jpeg.extend_from_slice(&[0xff, 0xd9]);
    Some(jpeg)
}

#[cfg(test)]
mod tests {
    use super::*;
    use image::{Rgb, RgbImage};

    fn sample(w: u32, h: u32) -> DynamicImage {
        DynamicImage::ImageRgb8(RgbImage::from_fn(w, h, |x, y| {
            Rgb([(x % 256) as u8, (y % 256) as u8, ((x + y) % 256) as u8])
        }))
    }

    #[test]
    fn sizes_follow_the_original() {
        let sizes = render_sizes(&sample(1024, 768)).expect("render");
        let got: Vec<(&str, u32, u32)> =
            sizes.iter().map(|s| (s.kind, s.width, s.height)).collect();
        assert_eq!(
            got,
            [
                ("s", 100, 75),
                ("m", 320, 240),
                ("x", 800, 600),
                ("y", 1024, 768)
            ]
        );
        let small = render_sizes(&sample(90, 60)).expect("render");
        assert_eq!(small.len(), 1);
        assert_eq!((small[0].width, small[0].height), (90, 60));
        for s in &sizes {
            let back = decode(&s.bytes).expect("decodes");
            assert_eq!((back.width(), back.height()), (s.width, s.height));
        }
    }

    #[test]
    fn stripped_thumbnail_decodes_with_the_client_header() {
        let thumb = stripped(&sample(1024, 768)).expect("encoder matches the header");
        assert_eq!((thumb.width, thumb.height), (40, 30));
        let jpeg = unstrip(&thumb.bytes).expect("unstrip");
        let back = decode(&jpeg).expect("decodes").to_rgb8();
        assert_eq!((back.width(), back.height()), (40, 30));
        // A flat colour survives the trip (a mismatched scan would decode to noise).
        let flat = DynamicImage::ImageRgb8(RgbImage::from_pixel(400, 300, Rgb([200, 40, 90])));
        let thumb = stripped(&flat).expect("stripped");
        let back = decode(&unstrip(&thumb.bytes).expect("unstrip"))
            .expect("decodes")
            .to_rgb8();
        for px in back.pixels() {
            for (got, want) in px.0.iter().zip([200u8, 40, 90]) {
                assert!(got.abs_diff(want) < 24, "{:?}", px.0);
            }
        }
    }

    #[test]
    fn garbage_is_refused() {
        assert_eq!(
            decode(b"not an image").err(),
            Some(MediaError::rejected("IMAGE_PROCESS_FAILED"))
        );
    }
}
