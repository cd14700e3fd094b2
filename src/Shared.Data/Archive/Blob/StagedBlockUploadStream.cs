using System.Security.Cryptography;
using Azure;
using Azure.Storage;
using Azure.Storage.Blobs.Models;
using Azure.Storage.Blobs.Specialized;

namespace TravelFunctions.Data.Archive.Blob;

/// <summary>
/// A write-only stream whose bytes become a block blob: cut into fixed-size blocks, each staged (Put Block, with a
/// Content-MD5 the service checks) as soon as it fills; committed (Put Block List) only by <see cref="CompleteAsync"/>.
/// Memory: <c>uploadBuffers</c> × block size, whatever the blob size. Disposing without completing commits nothing,
/// which is why this is not the SDK's OpenWrite stream: that one commits what it has on Dispose, so a producer that
/// fails inside a <c>using</c> would publish a partial blob.
/// </summary>
internal sealed class StagedBlockUploadStream : Stream
{
    private static readonly UploadTransferValidationOptions Md5PerBlock = new() { ChecksumAlgorithm = StorageChecksumAlgorithm.MD5 };

    private readonly BlockBlobClient _blob;
    private readonly BlobWrite _write;
    private readonly int _blockSize;
    private readonly int _uploadBuffers;
    private readonly string _uploadId = StagedBlockIds.NewUploadId();
    private readonly List<string> _blockIds = new();
    private readonly Queue<(Task Upload, byte[] Buffer)> _inFlight = new();
    private readonly IncrementalHash _md5 = IncrementalHash.CreateHash(HashAlgorithmName.MD5);
    private byte[]? _current;
    private int _filled;
    private long _length;
    private bool _disposed;
    private bool _completed;
    private bool _faulted;

    public StagedBlockUploadStream(BlockBlobClient blob, BlobWrite write, int blockSize, int uploadBuffers)
    {
        _blob = blob;
        _write = write;
        _blockSize = blockSize;
        _uploadBuffers = uploadBuffers;
    }

    public override bool CanRead => false;
    public override bool CanSeek => false;
    public override bool CanWrite => !_disposed && !_completed;
    public override long Length => throw new NotSupportedException();
    public override long Position { get => _length + _filled; set => throw new NotSupportedException(); }
    public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();
    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
    public override void SetLength(long value) => throw new NotSupportedException();

    // A partial block is not worth a round trip; blocks go up when full or at completion.
    public override void Flush() { }
    public override Task FlushAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    // Synchronous writes block on the upload of a full block (sync-over-async); prefer WriteAsync.
    public override void Write(byte[] buffer, int offset, int count) =>
        WriteAsync(buffer.AsMemory(offset, count)).AsTask().GetAwaiter().GetResult();

    public override void Write(ReadOnlySpan<byte> buffer)
    {
        // Fast path without a task when the bytes fit in the current block.
        if (CanWrite && !_faulted && _current is not null && buffer.Length < _blockSize - _filled)
        {
            buffer.CopyTo(_current.AsSpan(_filled));
            _filled += buffer.Length;
            return;
        }
        Write(buffer.ToArray(), 0, buffer.Length);
    }

    public override Task WriteAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        WriteAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    public override async ValueTask WriteAsync(ReadOnlyMemory<byte> source, CancellationToken cancellationToken = default)
    {
        EnsureWritable();
        while (!source.IsEmpty)
        {
            _current ??= new byte[_blockSize];
            var n = Math.Min(source.Length, _blockSize - _filled);
            source[..n].CopyTo(_current.AsMemory(_filled));
            _filled += n;
            source = source[n..];
            if (_filled == _blockSize) await StageCurrentBlockAsync(cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>Stages the last partial block and commits the block list. Callable once, also after Dispose.</summary>
    public async Task<BlobUploadResult> CompleteAsync(CancellationToken cancellationToken = default)
    {
        if (_completed) throw new InvalidOperationException($"Upload of '{_blob.Name}' was already completed.");
        if (_faulted) throw new InvalidOperationException($"Upload of '{_blob.Name}' failed earlier; nothing was committed.");
        _completed = true;
        try
        {
            if (_filled > 0) await StageCurrentBlockAsync(cancellationToken).ConfigureAwait(false);
            while (_inFlight.Count > 0) await _inFlight.Dequeue().Upload.ConfigureAwait(false);
            var md5 = _md5.GetHashAndReset();
            var commit = await _blob.CommitBlockListAsync(_blockIds, new CommitBlockListOptions
            {
                HttpHeaders = new BlobHttpHeaders { ContentType = _write.ContentType, ContentHash = md5 },
                Metadata = _write.Metadata?.ToDictionary(kv => kv.Key, kv => kv.Value),
                Conditions = AzureBlobStore.Conditions(_write.Condition),
            }, cancellationToken).ConfigureAwait(false);
            return new BlobUploadResult(_blob.Name, _length, commit.Value.ETag, _blockIds.Count, md5);
        }
        catch
        {
            _faulted = true;
            throw;
        }
        finally
        {
            _current = null;
            _md5.Dispose();
        }
    }

    private async Task StageCurrentBlockAsync(CancellationToken cancellationToken)
    {
        if (_blockIds.Count >= StagedBlockIds.MaxBlocks)
        {
            _faulted = true;
            throw new InvalidOperationException(
                $"'{_blob.Name}' would exceed {StagedBlockIds.MaxBlocks} blocks of {_blockSize} bytes; raise BlockSize.");
        }
        var id = StagedBlockIds.For(_uploadId, _blockIds.Count);
        _blockIds.Add(id);
        var buffer = _current!;
        var count = _filled;
        _md5.AppendData(buffer, 0, count);
        _length += count;
        // On the thread pool: the SDK hashes the block (its Content-MD5) before sending, and the producer goes on meanwhile.
        _inFlight.Enqueue((Task.Run(() => _blob.StageBlockAsync(id, new MemoryStream(buffer, 0, count, writable: false),
            new BlockBlobStageBlockOptions { TransferValidation = Md5PerBlock }, cancellationToken), cancellationToken), buffer));
        _current = null;
        _filled = 0;
        if (_inFlight.Count < _uploadBuffers) return; // another buffer may fill while this one uploads

        var (upload, freed) = _inFlight.Dequeue();
        try
        {
            await upload.ConfigureAwait(false);
        }
        catch
        {
            _faulted = true;
            throw;
        }
        _current = freed;
    }

    private void EnsureWritable()
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        if (_completed) throw new InvalidOperationException($"Upload of '{_blob.Name}' is already completed.");
        if (_faulted) throw new InvalidOperationException($"Upload of '{_blob.Name}' failed earlier; nothing was committed.");
    }

    // Disposing never commits (and never throws): a producer that fails must not publish a partial blob.
    // State is kept, so CompleteAsync still works after a wrapper (e.g. GZipStream) disposed this stream.
    protected override void Dispose(bool disposing)
    {
        _disposed = true;
        foreach (var (upload, _) in _inFlight)
            _ = upload.ContinueWith(static t => _ = t.Exception, TaskContinuationOptions.OnlyOnFaulted | TaskContinuationOptions.ExecuteSynchronously);
        base.Dispose(disposing);
    }

    public override async ValueTask DisposeAsync()
    {
        if (!_completed)
        {
            // Let staged uploads finish so no request outlives the caller; their failures no longer matter.
            foreach (var (upload, _) in _inFlight)
            {
                try { await upload.ConfigureAwait(false); }
                catch { /* abandoned upload */ }
            }
        }
        Dispose(true);
        GC.SuppressFinalize(this);
    }
}
