import { create, globals } from 'webgpu'
Object.assign(globalThis, globals)
globalThis.navigator = { gpu: create([]) }
const tf = await import('@tensorflow/tfjs')
await import('@tensorflow/tfjs-backend-webgpu')
await tf.setBackend('webgpu')
const b = tf.backend()
delete globalThis.navigator.gpu
console.log(b.device.limits.maxBufferSize, b.device.limits.maxStorageBufferBindingSize, typeof b.device.addEventListener, 'onuncapturederror' in b.device)
b.device.addEventListener('uncapturederror', (e) => console.log('UNCAPTURED', e.error?.constructor?.name, String(e.error?.message).slice(0,200)))
const x = tf.ones([300, 32, 32, 8])
const f = tf.ones([3,3,8,1024])
const y = tf.conv2d(x, f, 1, 'same') // 300*1024*1024*4 = 1.26 GB
const s = y.sum()
try { console.log('sum', await s.data()) } catch (e) { console.log('data err', e.message.slice(0,300)) }
try { console.log('y0', (await y.data()).slice(0,2)) } catch (e) { console.log('data err2', e.message.slice(0,300)) }
console.log('end')
