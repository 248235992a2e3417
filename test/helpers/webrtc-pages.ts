// Page scripts are strings: the test transpiler may add helpers that do not exist in the page.
/** Publishes the fake camera and a tone by WHIP to `url`; run with page.evaluate(`(${WHIP_PUBLISH})(url)`). */
export const WHIP_PUBLISH = `async (url, videoCodec) => {
  // the fake camera, and a tone from Web Audio: the fake microphone may be silent, a tone never is
  const media = await navigator.mediaDevices.getUserMedia({ video: { width: 640, height: 360, frameRate: 30 }, audio: false });
  const ctx = new AudioContext();
  const osc = ctx.createOscillator();
  const dest = ctx.createMediaStreamDestination();
  osc.connect(dest);
  osc.start();
  media.addTrack(dest.stream.getAudioTracks()[0]);
  const pc = new RTCPeerConnection();
  for (const track of media.getTracks()) {
    const t = pc.addTransceiver(track, { direction: 'sendonly' });
    // a publisher that sends only one video codec, e.g. 'video/VP8'
    if (videoCodec && track.kind === 'video') t.setCodecPreferences(RTCRtpSender.getCapabilities('video').codecs.filter((c) => c.mimeType === videoCodec));
  }
  await pc.setLocalDescription(await pc.createOffer());
  await new Promise((r) => { if (pc.iceGatheringState === 'complete') r(); else pc.onicegatheringstatechange = () => pc.iceGatheringState === 'complete' && r(); });
  const res = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/sdp' }, body: pc.localDescription.sdp });
  const body = await res.text();
  if (res.status !== 201) return { status: res.status, body };
  await pc.setRemoteDescription({ type: 'answer', sdp: body });
  window.zenlivePublisher = pc;
  return { status: res.status, location: res.headers.get('location'), link: res.headers.get('link'), etag: res.headers.get('etag') };
}`;

