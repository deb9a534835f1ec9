//! The media role over gRPC (core.telegram.org/api/files): [`MediaServer`] serves any
//! `MediaService` (the local one over the dfs), [`RemoteMedia`] implements `MediaService` for
//! the bff role. Upload calls are routed by the uploading user, so all parts of a user's files
//! (and their thumbnails) reach the one instance that holds them on its disk; reads go to any
//! instance (files themselves live in the shared dfs). A `Rejected` error carries Telegram's
//! error text and survives the trip; transport failures become `Internal`.

use std::sync::Arc;

use async_trait::async_trait;
use echo_media::{
    DocumentRecord, FileChunk, FileLocation, MediaError, MediaService, NewDocument, PhotoRecord,
    PhotoSizeRecord, UploadedFile,
};
use tonic::transport::Channel;
use tonic::{Code, Request, Response, Status};

use crate::endpoints::Endpoints;
use crate::pb::file_location::Location;
use crate::pb::media_client::MediaClient;
use crate::pb::media_server::{Media, MediaServer as Generated};
use crate::pb::{self, Empty};

/// Largest message either way: a 512 KiB part or a 1 MiB read, with room to spare.
const MAX_MESSAGE: usize = 4 << 20;

fn to_status(e: MediaError) -> Status {
    match e {
        MediaError::Rejected(m) => Status::new(Code::InvalidArgument, m),
        MediaError::Internal(m) => Status::internal(m),
    }
}

fn from_status(s: Status) -> MediaError {
    match s.code() {
        Code::InvalidArgument => MediaError::Rejected(s.message().to_owned()),
        code => MediaError::Internal(format!("media role: {code:?}: {}", s.message())),
    }
}

fn file_to_pb(f: UploadedFile) -> pb::UploadedFile {
    pb::UploadedFile {
        file_id: f.file_id,
        parts: f.parts,
        name: f.name,
        md5_checksum: f.md5_checksum,
        big: f.big,
    }
}

fn file_from_pb(f: Option<pb::UploadedFile>) -> Result<UploadedFile, Status> {
    let f = f.ok_or_else(|| Status::internal("file missing"))?;
    Ok(UploadedFile {
        file_id: f.file_id,
        parts: f.parts,
        name: f.name,
        md5_checksum: f.md5_checksum,
        big: f.big,
    })
}

fn size_to_pb(s: PhotoSizeRecord) -> pb::PhotoSize {
    pb::PhotoSize {
        kind: s.kind,
        width: s.width,
        height: s.height,
        size: s.size,
        bucket: s.bucket,
        object_key: s.object_key,
        bytes: s.bytes,
    }
}

fn size_from_pb(s: pb::PhotoSize) -> PhotoSizeRecord {
    PhotoSizeRecord {
        kind: s.kind,
        width: s.width,
        height: s.height,
        size: s.size,
        bucket: s.bucket,
        object_key: s.object_key,
        bytes: s.bytes,
    }
}

fn photo_to_pb(p: PhotoRecord) -> pb::Photo {
    pb::Photo {
        id: p.id,
        access_hash: p.access_hash,
        file_reference: p.file_reference,
        owner_id: p.owner_id,
        date: p.date,
        dc_id: p.dc_id,
        sizes: p.sizes.into_iter().map(size_to_pb).collect(),
    }
}

fn photo_from_pb(p: pb::Photo) -> PhotoRecord {
    PhotoRecord {
        id: p.id,
        access_hash: p.access_hash,
        file_reference: p.file_reference,
        owner_id: p.owner_id,
        date: p.date,
        dc_id: p.dc_id,
        sizes: p.sizes.into_iter().map(size_from_pb).collect(),
    }
}

fn document_to_pb(d: DocumentRecord) -> pb::Document {
    pb::Document {
        id: d.id,
        access_hash: d.access_hash,
        file_reference: d.file_reference,
        owner_id: d.owner_id,
        date: d.date,
        dc_id: d.dc_id,
        mime_type: d.mime_type,
        size: d.size,
        bucket: d.bucket,
        object_key: d.object_key,
        attributes: d.attributes,
        thumbs: d.thumbs.into_iter().map(size_to_pb).collect(),
    }
}

fn document_from_pb(d: pb::Document) -> DocumentRecord {
    DocumentRecord {
        id: d.id,
        access_hash: d.access_hash,
        file_reference: d.file_reference,
        owner_id: d.owner_id,
        date: d.date,
        dc_id: d.dc_id,
        mime_type: d.mime_type,
        size: d.size,
        bucket: d.bucket,
        object_key: d.object_key,
        attributes: d.attributes,
        thumbs: d.thumbs.into_iter().map(size_from_pb).collect(),
    }
}

fn location_to_pb(l: FileLocation) -> pb::FileLocation {
    let stored = |id, access_hash, file_reference, thumb_size| pb::StoredFile {
        id,
        access_hash,
        file_reference,
        thumb_size,
    };
    let location = match l {
        FileLocation::Photo {
            id,
            access_hash,
            file_reference,
            thumb_size,
        } => Location::Photo(stored(id, access_hash, file_reference, thumb_size)),
        FileLocation::Document {
            id,
            access_hash,
            file_reference,
            thumb_size,
        } => Location::Document(stored(id, access_hash, file_reference, thumb_size)),
        FileLocation::PeerPhoto { photo_id, big } => {
            Location::PeerPhoto(pb::PeerPhoto { photo_id, big })
        }
    };
    pb::FileLocation {
        location: Some(location),
    }
}

fn location_from_pb(l: Option<pb::FileLocation>) -> Result<FileLocation, Status> {
    match l.and_then(|l| l.location) {
        Some(Location::Photo(f)) => Ok(FileLocation::Photo {
            id: f.id,
            access_hash: f.access_hash,
            file_reference: f.file_reference,
            thumb_size: f.thumb_size,
        }),
        Some(Location::Document(f)) => Ok(FileLocation::Document {
            id: f.id,
            access_hash: f.access_hash,
            file_reference: f.file_reference,
            thumb_size: f.thumb_size,
        }),
        Some(Location::PeerPhoto(p)) => Ok(FileLocation::PeerPhoto {
            photo_id: p.photo_id,
            big: p.big,
        }),
        None => Err(Status::internal("location missing")),
    }
}

/// Serves a `MediaService` to bff processes.
pub struct MediaServer {
    inner: Arc<dyn MediaService>,
}

impl MediaServer {
    pub fn service(inner: Arc<dyn MediaService>) -> Generated<Self> {
        Generated::new(Self { inner })
            .max_decoding_message_size(MAX_MESSAGE)
            .max_encoding_message_size(MAX_MESSAGE)
    }
}

#[async_trait]
impl Media for MediaServer {
    async fn save_file_part(&self, req: Request<pb::FilePart>) -> Result<Response<Empty>, Status> {
        let r = req.into_inner();
        self.inner
            .save_file_part(r.owner, r.file_id, r.part, r.total_parts, r.bytes)
            .await
            .map_err(to_status)?;
        Ok(Response::new(Empty {}))
    }

    async fn upload_photo(
        &self,
        req: Request<pb::UploadPhotoRequest>,
    ) -> Result<Response<pb::Photo>, Status> {
        let r = req.into_inner();
        let file = file_from_pb(r.file)?;
        let photo = self
            .inner
            .upload_photo(r.owner, file, r.date)
            .await
            .map_err(to_status)?;
        Ok(Response::new(photo_to_pb(photo)))
    }

    async fn upload_document(
        &self,
        req: Request<pb::UploadDocumentRequest>,
    ) -> Result<Response<pb::Document>, Status> {
        let r = req.into_inner();
        let document = NewDocument {
            file: file_from_pb(r.file)?,
            thumb: r.thumb.map(|t| file_from_pb(Some(t))).transpose()?,
            mime_type: r.mime_type,
            attributes: r.attributes,
        };
        let doc = self
            .inner
            .upload_document(r.owner, document, r.date)
            .await
            .map_err(to_status)?;
        Ok(Response::new(document_to_pb(doc)))
    }

    async fn get_photo(
        &self,
        req: Request<pb::MediaId>,
    ) -> Result<Response<pb::MaybePhoto>, Status> {
        let photo = self
            .inner
            .photo(req.into_inner().id)
            .await
            .map_err(to_status)?;
        Ok(Response::new(pb::MaybePhoto {
            photo: photo.map(photo_to_pb),
        }))
    }

    async fn get_document(
        &self,
        req: Request<pb::MediaId>,
    ) -> Result<Response<pb::MaybeDocument>, Status> {
        let doc = self
            .inner
            .document(req.into_inner().id)
            .await
            .map_err(to_status)?;
        Ok(Response::new(pb::MaybeDocument {
            document: doc.map(document_to_pb),
        }))
    }

    async fn read_file(
        &self,
        req: Request<pb::ReadFileRequest>,
    ) -> Result<Response<pb::FileChunk>, Status> {
        let r = req.into_inner();
        let location = location_from_pb(r.location)?;
        let chunk = self
            .inner
            .read_file(location, r.offset, r.limit)
            .await
            .map_err(to_status)?;
        Ok(Response::new(pb::FileChunk {
            bytes: chunk.bytes,
            mtime: chunk.mtime,
            jpeg: chunk.jpeg,
        }))
    }
}

/// The media role in another process.
#[derive(Debug, Clone)]
pub struct RemoteMedia {
    endpoints: Arc<Endpoints>,
}

impl RemoteMedia {
    pub fn new(endpoints: Arc<Endpoints>) -> Self {
        Self { endpoints }
    }

    fn client(channel: Channel) -> MediaClient<Channel> {
        MediaClient::new(channel)
            .max_decoding_message_size(MAX_MESSAGE)
            .max_encoding_message_size(MAX_MESSAGE)
    }

    /// The instance holding `owner`'s uploads.
    fn for_owner(&self, owner: i64) -> Result<MediaClient<Channel>, MediaError> {
        let (_, channel) = self.endpoints.by_key(owner as u64).map_err(from_status)?;
        Ok(Self::client(channel))
    }

    fn any(&self) -> Result<MediaClient<Channel>, MediaError> {
        Ok(Self::client(self.endpoints.any().map_err(from_status)?))
    }
}

#[async_trait]
impl MediaService for RemoteMedia {
    async fn save_file_part(
        &self,
        owner: i64,
        file_id: i64,
        part: i32,
        total_parts: Option<i32>,
        bytes: Vec<u8>,
    ) -> Result<(), MediaError> {
        let req = pb::FilePart {
            owner,
            file_id,
            part,
            total_parts,
            bytes,
        };
        self.for_owner(owner)?
            .save_file_part(req)
            .await
            .map_err(from_status)?;
        Ok(())
    }

    async fn upload_photo(
        &self,
        owner: i64,
        file: UploadedFile,
        date: i64,
    ) -> Result<PhotoRecord, MediaError> {
        let req = pb::UploadPhotoRequest {
            owner,
            file: Some(file_to_pb(file)),
            date,
        };
        let photo = self.for_owner(owner)?.upload_photo(req).await;
        Ok(photo_from_pb(photo.map_err(from_status)?.into_inner()))
    }

    async fn upload_document(
        &self,
        owner: i64,
        document: NewDocument,
        date: i64,
    ) -> Result<DocumentRecord, MediaError> {
        let req = pb::UploadDocumentRequest {
            owner,
            file: Some(file_to_pb(document.file)),
            thumb: document.thumb.map(file_to_pb),
            mime_type: document.mime_type,
            attributes: document.attributes,
            date,
        };
        let doc = self.for_owner(owner)?.upload_document(req).await;
        Ok(document_from_pb(doc.map_err(from_status)?.into_inner()))
    }

    async fn photo(&self, id: i64) -> Result<Option<PhotoRecord>, MediaError> {
        let got = self.any()?.get_photo(pb::MediaId { id }).await;
        Ok(got
            .map_err(from_status)?
            .into_inner()
            .photo
            .map(photo_from_pb))
    }

    async fn document(&self, id: i64) -> Result<Option<DocumentRecord>, MediaError> {
        let got = self.any()?.get_document(pb::MediaId { id }).await;
        Ok(got
            .map_err(from_status)?
            .into_inner()
            .document
            .map(document_from_pb))
    }

    async fn read_file(
        &self,
        location: FileLocation,
        offset: u64,
        limit: u32,
    ) -> Result<FileChunk, MediaError> {
        let req = pb::ReadFileRequest {
            location: Some(location_to_pb(location)),
            offset,
            limit,
        };
        let chunk = self
            .any()?
            .read_file(req)
            .await
            .map_err(from_status)?
            .into_inner();
        Ok(FileChunk {
            bytes: chunk.bytes,
            mtime: chunk.mtime,
            jpeg: chunk.jpeg,
        })
    }
}
