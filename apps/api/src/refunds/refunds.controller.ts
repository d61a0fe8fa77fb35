import { Body, Controller, Get, Param, Post, Res } from '@nestjs/common';
import { ApiBearerAuth, ApiConflictResponse, ApiCreatedResponse, ApiHeader, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import type { FastifyReply } from 'fastify';
import { ParseIdPipe } from '@app/http-edge';
import { IDEMPOTENCY_HEADER_DOC, IdempotencyKey, markReplay } from '../idempotency/idempotency';
import { CreateRefundDto, RefundListView, RefundView } from './refunds.dto';
import { RefundsService } from './refunds.service';

@ApiTags('orders')
@ApiBearerAuth('apiKey')
@Controller('v1/orders/:id/payments/:paymentId/refunds')
export class RefundsController {
  constructor(private readonly refunds: RefundsService) {}

  @ApiOperation({ summary: 'Refund part or all of a payment' })
  @Post()
  @ApiHeader(IDEMPOTENCY_HEADER_DOC)
  @ApiCreatedResponse({ type: RefundView })
  @ApiConflictResponse({ description: 'The amount is more than is left to refund of the payment, or idempotency key reused' })
  async refund(
    @Param('id', new ParseIdPipe()) orderId: number,
    @Param('paymentId', new ParseIdPipe('paymentId')) paymentId: number,
    @Body() body: CreateRefundDto,
    @IdempotencyKey() idempotencyKey: string | null,
    @Res({ passthrough: true }) response: FastifyReply,
  ): Promise<RefundView> {
    return markReplay(response, await this.refunds.refund(orderId, paymentId, body, idempotencyKey));
  }

  @ApiOperation({ summary: "List a payment's refunds" })
  @Get()
  @ApiOkResponse({ type: RefundListView })
  async list(@Param('id', new ParseIdPipe()) orderId: number, @Param('paymentId', new ParseIdPipe('paymentId')) paymentId: number): Promise<RefundListView> {
    return { data: await this.refunds.list(orderId, paymentId) };
  }
}
